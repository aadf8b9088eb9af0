DROP TABLE supply_discrepancies;
