//! The clean-up report (报表清理报告): many forms analyzed at once, counted the way the reports
//! this project grew from count the burden — N forms and M columns asked of villages come down to
//! K distinct needs, of which so many the registry already has, and which indicator each form
//! asked for.

use std::collections::BTreeMap;

use serde::Serialize;

use super::naming::canonical;
use super::Analysis;

/// One form of the batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormLine {
    pub file: String,
    pub title: Option<String>,
    pub columns: usize,
    pub matched: usize,
    pub new: usize,
    /// Why the form could not be analyzed (it is counted, its columns are not).
    pub error: Option<String>,
}

/// One distinct need: an indicator, or a name the registry does not have yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Need {
    /// The indicator; none for a new need.
    pub code: Option<String>,
    /// The indicator's name, or the new need's name as first written.
    pub name: String,
    /// How many forms ask for it, and in how many columns in all.
    pub forms: usize,
    pub columns: usize,
    /// The files asking, in batch order.
    pub files: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cleanup {
    pub forms: usize,
    /// Of them, not analyzed (not a table, no header, …).
    pub unreadable: usize,
    pub columns: usize,
    pub distinct_needs: usize,
    /// Distinct needs the registry already has.
    pub in_registry: usize,
    pub new_needs: usize,
    /// Most asked first.
    pub needs: Vec<Need>,
    pub per_form: Vec<FormLine>,
}

/// A batch counted form by form: each analysis is added and let go, so a batch of thousands
/// of forms holds only their counts.
#[derive(Debug, Default)]
pub struct Tally {
    // Keyed by code, or by the canonical name of a new need, so 临时救助人次 and 临时救助 人次 are one.
    needs: BTreeMap<(bool, String), Need>,
    per_form: Vec<FormLine>,
    columns: usize,
}

impl Tally {
    /// Adds one form: its file name and its analysis, or why there is none.
    pub fn add(&mut self, file: &str, analysis: Result<&Analysis, String>) {
        let analysis = match analysis {
            Ok(a) => a,
            Err(why) => {
                self.per_form.push(FormLine {
                    file: file.to_owned(),
                    title: None,
                    columns: 0,
                    matched: 0,
                    new: 0,
                    error: Some(why),
                });
                return;
            }
        };
        self.columns += analysis.columns.len();
        for column in &analysis.columns {
            let (key, code, name) = match &column.matched {
                Some(found) => ((true, found.code.clone()), Some(found.code.clone()), found.name.clone()),
                None => ((false, canonical(&column.name)), None, column.name.clone()),
            };
            let need =
                self.needs.entry(key).or_insert_with(|| Need { code, name, forms: 0, columns: 0, files: Vec::new() });
            need.columns += 1;
            if need.files.last().map(String::as_str) != Some(file) {
                need.forms += 1;
                need.files.push(file.to_owned());
            }
        }
        self.per_form.push(FormLine {
            file: file.to_owned(),
            title: analysis.layout.title_rows.first().cloned(),
            columns: analysis.coverage.columns,
            matched: analysis.coverage.matched,
            new: analysis.coverage.new,
            error: None,
        });
    }

    /// Forms added so far.
    #[must_use]
    pub fn forms(&self) -> usize {
        self.per_form.len()
    }

    /// The report, needs most asked first.
    #[must_use]
    pub fn finish(self) -> Cleanup {
        let mut needs: Vec<Need> = self.needs.into_values().collect();
        needs.sort_by(|a, b| b.forms.cmp(&a.forms).then(b.columns.cmp(&a.columns)).then_with(|| a.name.cmp(&b.name)));
        let in_registry = needs.iter().filter(|n| n.code.is_some()).count();
        Cleanup {
            forms: self.per_form.len(),
            unreadable: self.per_form.iter().filter(|f| f.error.is_some()).count(),
            columns: self.columns,
            distinct_needs: needs.len(),
            in_registry,
            new_needs: needs.len() - in_registry,
            needs,
            per_form: self.per_form,
        }
    }
}

/// Counts a batch: each form's file name and its analysis, or why there is none.
#[must_use]
pub fn summarize(batch: &[(String, Result<Analysis, String>)]) -> Cleanup {
    let mut tally = Tally::default();
    for (file, analysis) in batch {
        tally.add(file, analysis.as_ref().map_err(Clone::clone));
    }
    tally.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::legacy::{analyze, Known, Sheet};

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet { rows: rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect(), merges: Vec::new() }
    }

    #[test]
    fn three_forms_come_down_to_their_distinct_needs() {
        let registry = vec![Known {
            code: "POP.REGISTERED".to_owned(),
            name: "户籍人口".to_owned(),
            unit: "人".to_owned(),
            aliases: Vec::new(),
            derived: false,
            yes_no: false,
            share_of: None,
        }];
        let a = analyze(&sheet(&[&["村名", "户籍人口", "临时救助人次"], &["纳晓村", "1", "2"]]), &registry)
            .map_err(|e| e.to_string());
        let b = analyze(&sheet(&[&["村名", "户籍人口（人）", "临时救助 人次"], &["纳晓村", "1", "2"]]), &registry)
            .map_err(|e| e.to_string());
        let report = summarize(&[
            ("a.xlsx".to_owned(), a),
            ("b.csv".to_owned(), b),
            ("c.png".to_owned(), Err("不是表格".to_owned())),
        ]);
        assert_eq!((report.forms, report.unreadable, report.columns), (3, 1, 4));
        assert_eq!((report.distinct_needs, report.in_registry, report.new_needs), (2, 1, 1));
        assert_eq!((report.needs[0].forms, report.needs[0].columns), (2, 2));
        assert_eq!(report.per_form[2].error.as_deref(), Some("不是表格"));
    }
}
