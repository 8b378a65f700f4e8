//! The web client's build (`web/dist`), embedded in the binary so running needs no Node.

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist/"]
struct Assets;

/// The bytes and content type of a built file (`index.html`, `app.js`, ...).
pub fn asset(path: &str) -> Option<(std::borrow::Cow<'static, [u8]>, String)> {
    let file = Assets::get(path)?;
    let mime = file.metadata.mimetype().to_string();
    Some((file.data, mime))
}
