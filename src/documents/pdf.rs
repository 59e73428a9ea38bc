//! A one-page A4 PDF of text lines, rules and one greyscale image, with the
//! DejaVu Sans font embedded (Cyrillic) and a ToUnicode map, so the text can
//! be searched and copied. Built with `pdf-writer`; the font's glyphs and
//! widths come from `ttf-parser`.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

/// The embedded font (see assets/fonts/README.md).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_NAME: Name<'static> = Name(b"DejaVuSans");

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The embedded font does not parse (a build problem).
    #[error("the embedded font does not parse")]
    Font,
}

/// A greyscale image: one byte per pixel, 0 black … 255 white, row by row.
#[derive(Debug, Clone)]
pub struct Image {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width × height` bytes.
    pub pixels: Vec<u8>,
}

enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Image {
        x: f32,
        y: f32,
        side: f32,
    },
}

/// A page being laid out; y counts from the bottom, in points (A4 is 595 × 842).
pub struct Page {
    items: Vec<Item>,
    image: Option<Image>,
}

/// A4 width, points.
pub const WIDTH: f32 = 595.0;
/// A4 height, points.
pub const HEIGHT: f32 = 842.0;

impl Page {
    /// An empty A4 page.
    pub fn new() -> Self {
        Page {
            items: Vec::new(),
            image: None,
        }
    }

    /// Writes `text` with its baseline at (`x`, `y`).
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: impl Into<String>) {
        self.items.push(Item::Text {
            x,
            y,
            size,
            text: text.into(),
        });
    }

    /// Draws a thin line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.items.push(Item::Line { x1, y1, x2, y2 });
    }

    /// Places the page's one image as a square of `side` points with its lower
    /// left corner at (`x`, `y`), pixels kept sharp.
    pub fn image(&mut self, x: f32, y: f32, side: f32, image: Image) {
        self.items.push(Item::Image { x, y, side });
        self.image = Some(image);
    }

    /// The finished PDF of this one page.
    pub fn render(self, title: &str) -> Result<Vec<u8>, PdfError> {
        render(vec![self], title)
    }
}

/// The finished PDF of `pages`, in order (the font embedded once).
pub fn render(pages: Vec<Page>, title: &str) -> Result<Vec<u8>, PdfError> {
    let face = ttf_parser::Face::parse(FONT, 0).map_err(|_| PdfError::Font)?;
    let scale = 1000.0 / f32::from(face.units_per_em());
    let mut used: BTreeMap<u16, char> = BTreeMap::new();
    let encode = |text: &str, used: &mut BTreeMap<u16, char>| -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let gid = face.glyph_index(c).map(|g| g.0).unwrap_or(0);
            used.entry(gid).or_insert(c);
            bytes.extend_from_slice(&gid.to_be_bytes());
        }
        bytes
    };

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let cid_font = Ref::new(4);
    let descriptor = Ref::new(5);
    let font_file = Ref::new(6);
    let to_unicode = Ref::new(7);
    let info = Ref::new(8);
    // Each page: its page object, its contents and (maybe) its image.
    let page_refs: Vec<(Ref, Ref, Ref)> = (0..pages.len())
        .map(|i| {
            let base = 9 + 3 * i32::try_from(i).unwrap_or(0);
            (Ref::new(base), Ref::new(base + 1), Ref::new(base + 2))
        })
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(page, _, _)| *page))
        .count(i32::try_from(pages.len()).unwrap_or(0));
    for (this, (page_id, contents, image_id)) in pages.iter().zip(&page_refs) {
        let mut content = Content::new();
        for item in &this.items {
            match item {
                Item::Text { x, y, size, text } => {
                    content.begin_text();
                    content.set_font(Name(b"F1"), *size);
                    content.next_line(*x, *y);
                    content.show(Str(&encode(text, &mut used)));
                    content.end_text();
                }
                Item::Line { x1, y1, x2, y2 } => {
                    content.set_line_width(0.5);
                    content.move_to(*x1, *y1);
                    content.line_to(*x2, *y2);
                    content.stroke();
                }
                Item::Image { x, y, side } => {
                    content.save_state();
                    content.transform([*side, 0.0, 0.0, *side, *x, *y]);
                    content.x_object(Name(b"Im1"));
                    content.restore_state();
                }
            }
        }
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(*contents);
        let mut resources = page.resources();
        resources.fonts().pair(Name(b"F1"), font);
        if this.image.is_some() {
            resources.x_objects().pair(Name(b"Im1"), *image_id);
        }
        resources.finish();
        page.finish();
        pdf.stream(*contents, &content.finish());
        if let Some(image) = &this.image {
            let mut xobject = pdf.image_xobject(*image_id, &image.pixels);
            xobject.width(i32::try_from(image.width).unwrap_or(0));
            xobject.height(i32::try_from(image.height).unwrap_or(0));
            xobject.color_space().device_gray();
            xobject.bits_per_component(8);
            xobject.interpolate(false);
            xobject.finish();
        }
    }

    pdf.type0_font(font)
        .base_font(FONT_NAME)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2);
    cid.base_font(FONT_NAME);
    cid.system_info(system_info);
    cid.font_descriptor(descriptor);
    cid.default_width(0.0);
    cid.cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = cid.widths();
        for gid in used.keys() {
            let advance = face
                .glyph_hor_advance(ttf_parser::GlyphId(*gid))
                .unwrap_or(0);
            widths.consecutive(*gid, [f32::from(advance) * scale]);
        }
    }
    cid.finish();

    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(FONT_NAME)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(face.ascender()) * scale)
        .descent(f32::from(face.descender()) * scale)
        .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * scale)
        .stem_v(80.0)
        .font_file2(font_file);
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(FONT, 6);
    pdf.stream(font_file, &packed)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(FONT.len()).unwrap_or(i32::MAX),
        );

    let mut cmap = UnicodeCmap::new(Name(b"Kabinet-UCS"), system_info);
    for (gid, c) in &used {
        cmap.pair(*gid, *c);
    }
    pdf.cmap(to_unicode, &cmap.finish());
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("Kabinet"));
    Ok(pdf.finish())
}

impl Default for Page {
    fn default() -> Self {
        Page::new()
    }
}
