//! What the cube knows of an indicator (指标): how its values are held and how they roll up.

use onetable_core::formula::Expr;
use onetable_core::indicator::Aggregation;

/// How a stored indicator's values sit in the cube.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureKind {
    /// Held as `f64`: exact for whole numbers below 2^53.
    Integer,
    Decimal,
    Boolean,
    /// Enum, text and date values: pulled as they are, never aggregated.
    Text,
}

impl MeasureKind {
    #[must_use]
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Decimal)
    }
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub kind: MeasureKind,
    pub aggregation: Aggregation,
    pub sensitive: bool,
    /// A derived indicator's formula, with derived inputs already expanded to stored ones.
    pub formula: Option<Expr>,
}

impl Measure {
    #[must_use]
    pub fn is_derived(&self) -> bool {
        self.formula.is_some()
    }

    /// Whether a rolled-up value counts people, households or villages, so that a small one can
    /// single out a family: sums of whole numbers and counts of "yes".
    #[must_use]
    pub fn is_count(&self) -> bool {
        !self.is_derived()
            && (self.aggregation == Aggregation::CountTrue
                || (self.aggregation == Aggregation::Sum && self.kind == MeasureKind::Integer))
    }
}
