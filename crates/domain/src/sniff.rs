//! What a file is, from its first bytes: the type Charge stores and serves, never the one
//! the client declared, and which types a browser may show inline.

/// Bytes of a file's start kept to sniff its type.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// Types a browser may show inline: raster images it decodes itself, with no script inside.
const SAFE_RASTER: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether `content_type` is an image served inline (everything else is a download).
pub fn is_safe_raster(content_type: &str) -> bool {
    SAFE_RASTER.contains(&content_type)
}

/// The type of a file from its first bytes: a known signature, else UTF-8 text, else opaque
/// bytes. What the client declared is never used, so an HTML or SVG page named `.png` is text.
pub fn sniff(head: &[u8]) -> &'static str {
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        // Markup a browser would run (HTML, SVG, XML) is only ever plain text here.
        let markup = mime.starts_with("text/")
            || matches!(
                mime,
                "application/xml" | "image/svg+xml" | "application/xhtml+xml"
            );
        return if markup { "text/plain" } else { mime };
    }
    // Text: no control characters but whitespace and escape, and UTF-8, allowing a
    // character cut at the end of the sample.
    let controls = head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b));
    if controls {
        return "application/octet-stream";
    }
    match std::str::from_utf8(head) {
        Ok(_) => "text/plain",
        Err(e) if e.error_len().is_none() && head.len() >= SNIFF_BYTES - 4 => "text/plain",
        Err(_) => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), "text/plain");
        assert_eq!(
            sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "text/plain"
        );
        assert_eq!(sniff(&[0xff, 0x00, 0xfe, 0x01]), "application/octet-stream");
        assert_eq!(sniff(&[7u8; 64]), "application/octet-stream");
        assert_eq!(sniff("héllo\r\n\tworld".as_bytes()), "text/plain");
    }
}
