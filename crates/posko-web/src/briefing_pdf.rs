//! The rakor briefing as an A4 PDF (issue 9, part 2): the same figures as the page, each tile's
//! figures as labelled bars, the cases that need a decision and the "Tindak lanjut rakor"
//! section. Written with `pdf-writer` in the standard Helvetica fonts with WinAnsi encoding, so
//! nothing is embedded and any reader (and a text extractor) reads it back.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::dasbor::BriefingView;

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const ITALIC: Name<'static> = Name(b"F3");

/// Text in WinAnsi (cp1252): ASCII and Latin-1 as they are, the dashes and quotes at their
/// cp1252 places, anything else as '?'.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '…' => 0x85,
            _ => b'?',
        })
        .collect()
}

/// Splits a line so it fits `width` points at `size` (Helvetica's average glyph is about half
/// an em), at spaces where it can.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let max = ((width / (size * 0.5)) as usize).max(10);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let extra = if cur.is_empty() { 0 } else { 1 };
        if cur.chars().count() + extra + word.chars().count() > max && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
        while cur.chars().count() > max {
            let head: String = cur.chars().take(max).collect();
            let tail: String = cur.chars().skip(max).collect();
            lines.push(head);
            cur = tail;
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

fn rgb(hex: &str) -> (f32, f32, f32) {
    let c = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f32::from(v) / 255.0)
    };
    (c(1), c(3), c(5))
}

/// Pages being laid out, top to bottom.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Content::new()],
            y: A4.1 - MARGIN,
        }
    }

    fn room(&mut self, h: f32) {
        if self.y - h < MARGIN {
            self.pages.push(Content::new());
            self.y = A4.1 - MARGIN;
        }
    }

    fn page(&mut self) -> &mut Content {
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }

    fn text_at(&mut self, font: Name<'static>, size: f32, x: f32, y: f32, text: &str) {
        let bytes = win_ansi(text);
        let c = self.page();
        c.set_fill_rgb(0.0, 0.0, 0.0);
        c.begin_text();
        c.set_font(font, size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    /// A wrapped paragraph at the left margin.
    fn line(&mut self, font: Name<'static>, size: f32, text: &str) {
        for l in wrap(text, size, A4.0 - 2.0 * MARGIN) {
            self.room(size + 4.0);
            self.y -= size + 4.0;
            let y = self.y;
            self.text_at(font, size, MARGIN, y, &l);
        }
    }

    fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    /// One bar: its label, the bar scaled to `max`, and its number.
    fn bar(&mut self, label: &str, value: u64, max: u64, shown: &str, color: &str) {
        const H: f32 = 11.0;
        const LABEL_W: f32 = 190.0;
        const SPAN: f32 = 230.0;
        self.room(H + 4.0);
        self.y -= H + 4.0;
        let y = self.y;
        let label: String = label.chars().take(40).collect();
        self.text_at(REGULAR, 9.0, MARGIN, y + 2.0, &label);
        let w = if value == 0 {
            0.0
        } else {
            (value as f32 / max.max(1) as f32 * SPAN).max(1.5)
        };
        let (r, g, b) = rgb(color);
        let c = self.page();
        c.set_fill_rgb(r, g, b);
        c.rect(MARGIN + LABEL_W, y, w, H);
        c.fill_nonzero();
        self.text_at(REGULAR, 9.0, MARGIN + LABEL_W + w + 4.0, y + 2.0, shown);
    }
}

/// The briefing as PDF bytes.
pub fn render(v: &BriefingView) -> Vec<u8> {
    let msgs = v.lang.messages();
    let mut l = Layout::new();
    l.line(BOLD, 16.0, &v.title);
    l.line(
        REGULAR,
        10.0,
        &format!(
            "{} ({}) · {} {} · {} {}",
            v.name,
            v.key,
            msgs.get("dasbor.date"),
            v.date,
            msgs.get("dasbor.computed_at"),
            v.computed
        ),
    );
    l.gap(8.0);
    l.line(BOLD, 13.0, msgs.get("dasbor.figures"));
    for s in &v.sections {
        l.gap(6.0);
        l.line(BOLD, 11.0, &s.title);
        if let Some(e) = &s.empty {
            l.line(ITALIC, 9.0, e);
            continue;
        }
        let max = s.rows.iter().map(|r| r.value).max().unwrap_or(0);
        for r in s.rows.iter().take(15) {
            let shown = s.shown(v.lang, r.value);
            l.bar(&r.label, r.value, max, &shown, r.color);
        }
        for f in &s.facts {
            l.line(REGULAR, 9.0, f);
        }
    }

    l.gap(10.0);
    l.line(BOLD, 13.0, msgs.get("dasbor.needs_decision"));
    l.line(ITALIC, 8.5, msgs.get("dasbor.needs_decision_def"));
    if v.cases.is_empty() {
        l.line(REGULAR, 9.0, "–");
    }
    for c in &v.cases {
        l.line(
            REGULAR,
            9.0,
            &format!(
                "{} · {} · {} · {} · {} · {} · {}",
                c.code, c.state, c.category, c.region, c.agency, c.deadline, c.reason
            ),
        );
    }

    l.gap(10.0);
    l.line(BOLD, 13.0, msgs.get("dasbor.follow_up"));
    l.line(
        REGULAR,
        9.0,
        &format!("{}: {}", msgs.get("dasbor.since"), v.since),
    );
    for g in &v.follow_ups {
        l.gap(4.0);
        l.line(BOLD, 10.5, &format!("{} ({})", g.label, g.lines.len()));
        if g.lines.is_empty() {
            l.line(REGULAR, 9.0, "–");
        }
        for a in &g.lines {
            l.line(
                REGULAR,
                9.0,
                &format!(
                    "{} {} · {} · {} · {} {} · {}",
                    msgs.get("rakor.decision_no"),
                    a.decision,
                    a.agency,
                    a.description,
                    msgs.get("rakor.due"),
                    a.due,
                    a.state
                ),
            );
        }
    }

    // The document: catalog, page tree, pages with their content streams, three base fonts.
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let fonts = [
        (REGULAR, Ref::new(3), Name(b"Helvetica")),
        (BOLD, Ref::new(4), Name(b"Helvetica-Bold")),
        (ITALIC, Ref::new(5), Name(b"Helvetica-Oblique")),
    ];
    let first = 6;
    let n = l.pages.len() as i32;
    let page_ids: Vec<Ref> = (0..n).map(|i| Ref::new(first + 2 * i)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(n);
    for (i, content) in l.pages.into_iter().enumerate() {
        let id = page_ids[i];
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
        page.parent(tree);
        page.contents(content_id);
        {
            let mut res = page.resources();
            let mut f = res.fonts();
            for (name, fid, _) in &fonts {
                f.pair(*name, *fid);
            }
            f.finish();
        }
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    for (_, fid, base) in fonts {
        pdf.type1_font(fid)
            .base_font(base)
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_win_ansi_and_wraps() {
        assert_eq!(win_ansi("Rakor – 5 é"), b"Rakor \x96 5 \xe9".to_vec());
        assert_eq!(win_ansi("→"), b"?".to_vec());
        let w = wrap("satu dua tiga empat lima enam tujuh", 10.0, 60.0);
        assert!(w.len() > 1, "{w:?}");
        assert!(w.iter().all(|l| l.chars().count() <= 12), "{w:?}");
        assert_eq!(wrap("", 10.0, 100.0), vec![String::new()]);
    }
}
