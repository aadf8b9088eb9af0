//! The village's form on A4 as a PDF (打印报表): a title, the village and period, the status and
//! who submitted and approved it, every section as a two-column table (indicator, value with
//! unit), lines for the signatures and the seal. Drawn with krilla; the Chinese text in Noto Sans
//! SC, of which each PDF embeds only the glyphs it uses, so it reads on any machine.

use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

use crate::problem::{AppResult, Problem};

/// The subset of Noto Sans CJK SC vendored with the binary (assets/fonts/README.md).
static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf");

/// A4 in points, and the margins.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const ROW: f32 = 17.0;
const TEXT: f32 = 9.5;

/// What the sheet shows.
#[derive(Debug, Clone, Default)]
pub struct PrintedForm {
    pub title: String,
    /// Lines under the title: code, status, revision; submitted; approved.
    pub facts: Vec<String>,
    pub sections: Vec<(String, Vec<(String, String)>)>,
    pub signatures: Vec<String>,
    pub seal: String,
}

struct Pen {
    document: Document,
    font: Font,
    pages: Vec<Vec<Mark>>,
    y: f32,
}

/// What is drawn on a page, collected first (a page's surface borrows the document).
enum Mark {
    Text { x: f32, y: f32, size: f32, text: String },
    Line { from: (f32, f32), to: (f32, f32) },
}

impl Pen {
    fn new() -> AppResult<Self> {
        let font = Font::new(Arc::new(FONT.to_vec()).into(), 0)
            .ok_or_else(|| Problem::internal("the PDF font does not load"))?;
        Ok(Self { document: Document::new(), font, pages: vec![Vec::new()], y: MARGIN })
    }

    fn page(&mut self) -> &mut Vec<Mark> {
        self.pages.last_mut().unwrap_or_else(|| unreachable!("a pen always has a page"))
    }

    /// Room for `height` more on this page, or a new page.
    fn room(&mut self, height: f32) {
        if self.y + height > HEIGHT - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.page().push(Mark::Text { x, y: y + size, size, text: text.to_owned() });
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32)) {
        self.page().push(Mark::Line { from, to });
    }

    /// A row of the table: a box with the label on the left and the value in the right column.
    fn row(&mut self, label: &str, value: &str) {
        self.room(ROW);
        let (left, split, right, top) = (MARGIN, MARGIN + 330.0, WIDTH - MARGIN, self.y);
        for (from, to) in [
            ((left, top), (right, top)),
            ((left, top + ROW), (right, top + ROW)),
            ((left, top), (left, top + ROW)),
            ((split, top), (split, top + ROW)),
            ((right, top), (right, top + ROW)),
        ] {
            self.line(from, to);
        }
        let y = self.y;
        self.page().push(Mark::Text { x: left + 4.0, y: y + 12.5, size: TEXT, text: label.to_owned() });
        self.page().push(Mark::Text { x: split + 6.0, y: y + 12.5, size: TEXT, text: value.to_owned() });
        self.y += ROW;
    }

    fn finish(mut self) -> AppResult<Vec<u8>> {
        let stroke = || Stroke { paint: rgb::Color::new(60, 60, 60).into(), width: 0.6, ..Stroke::default() };
        for marks in std::mem::take(&mut self.pages) {
            let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| Problem::internal("A4 is a page"))?;
            let mut page = self.document.start_page_with(settings);
            let mut surface: Surface<'_> = page.surface();
            for mark in marks {
                match mark {
                    Mark::Text { x, y, size, text } => {
                        surface.draw_text(
                            Point::from_xy(x, y),
                            self.font.clone(),
                            size,
                            &text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Mark::Line { from, to } => {
                        let mut path = PathBuilder::new();
                        path.move_to(from.0, from.1);
                        path.line_to(to.0, to.1);
                        if let Some(path) = path.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(stroke()));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        self.document.finish().map_err(|e| Problem::internal(format!("cannot write the PDF: {e:?}")))
    }
}

/// The form as PDF bytes.
///
/// # Errors
/// Only if the font or the writer fails.
pub fn render(form: &PrintedForm) -> AppResult<Vec<u8>> {
    let mut pen = Pen::new()?;
    pen.text(MARGIN, 16.0, &form.title);
    pen.y += 28.0;
    for fact in &form.facts {
        pen.text(MARGIN, TEXT, fact);
        pen.y += 14.0;
    }
    for (section, rows) in &form.sections {
        pen.room(ROW * 2.0 + 8.0);
        pen.y += 8.0;
        pen.text(MARGIN, 11.0, section);
        pen.y += 16.0;
        for (label, value) in rows {
            pen.row(label, value);
        }
    }
    pen.room(90.0);
    pen.y += 40.0;
    let column = (WIDTH - 2.0 * MARGIN) / 3.0;
    let top = pen.y;
    for (i, signature) in form.signatures.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = MARGIN + column * i as f32;
        pen.line((x, top), (x + column - 16.0, top));
        pen.text(x, TEXT, signature);
    }
    pen.y += 36.0;
    pen.text(WIDTH - MARGIN - 220.0, TEXT, &form.seal);
    pen.finish()
}
