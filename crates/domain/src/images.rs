//! Images: the size and thumbnail of an uploaded picture, and avatars and room icons decoded
//! and re-encoded here so that only plain PNG pixels are ever served back. Decoding is bounded
//! (pixels and memory) and runs off the async runtime.

use std::io::Cursor;

use bytes::Bytes;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::error::{DomainError, DomainResult};
use crate::{Domain, sniff};

/// Longer side of a thumbnail, in pixels.
pub const THUMBNAIL_MAX_SIDE: u32 = 320;
/// Longer side of a stored avatar or room icon, in pixels.
pub const AVATAR_MAX_SIDE: u32 = 256;
/// Largest image file read back to make a thumbnail; bigger ones are served without one.
const THUMBNAIL_SOURCE_MAX_BYTES: u64 = 32 * 1024 * 1024;
/// Widest and tallest image decoded.
const MAX_DECODED_SIDE: u32 = 12_000;
/// Memory a decoder may allocate.
const MAX_DECODER_ALLOC: u64 = 256 * 1024 * 1024;

/// What an uploaded image turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// Decoded: its size and its stored thumbnail.
    Ready {
        width: i64,
        height: i64,
        thumbnail_key: String,
    },
    /// A real image too large to decode here: shown as is, without a thumbnail or size.
    TooLarge,
    /// Not an image after all (a broken or forged signature).
    Undecodable,
}

fn limits(max_side: u32) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    limits
}

enum Decoded {
    Image(DynamicImage),
    TooLarge,
    Undecodable,
}

fn decode(bytes: &[u8], max_side: u32) -> Decoded {
    let reader = match ImageReader::new(Cursor::new(bytes)).with_guessed_format() {
        Ok(reader) => reader,
        Err(_) => return Decoded::Undecodable,
    };
    let mut reader = reader;
    reader.limits(limits(max_side));
    match reader.decode() {
        Ok(image) => Decoded::Image(image),
        Err(image::ImageError::Limits(_)) => Decoded::TooLarge,
        Err(_) => Decoded::Undecodable,
    }
}

/// Encodes `image` as JPEG when it is opaque (small for photos), else PNG; with the format.
fn encode_compact(image: &DynamicImage) -> Option<(Vec<u8>, &'static str)> {
    let mut out = Vec::new();
    if image.color().has_alpha() {
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .ok()?;
        Some((out, "png"))
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .ok()?;
        Some((out, "jpg"))
    }
}

/// Reads back the image just stored under `key` (`size` bytes), measures it and stores its
/// thumbnail beside it.
pub async fn preview(state: &Domain, key: &str, size: u64) -> DomainResult<Preview> {
    if size > THUMBNAIL_SOURCE_MAX_BYTES {
        return Ok(Preview::TooLarge);
    }
    let bytes = state
        .blobs
        .read_all(key, THUMBNAIL_SOURCE_MAX_BYTES)
        .await?;
    let made = tokio::task::spawn_blocking(move || match decode(&bytes, MAX_DECODED_SIDE) {
        Decoded::Image(image) => {
            let thumb = image.thumbnail(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE);
            Some((image.width(), image.height(), encode_compact(&thumb)))
        }
        Decoded::TooLarge => None,
        Decoded::Undecodable => Some((0, 0, None)),
    })
    .await
    .map_err(|e| DomainError::Internal(format!("thumbnail task failed: {e}")))?;
    let Some((width, height, encoded)) = made else {
        return Ok(Preview::TooLarge);
    };
    let Some((thumbnail, extension)) = encoded else {
        return Ok(Preview::Undecodable);
    };
    let stem = key.rsplit_once('.').map_or(key, |(stem, _)| stem);
    let thumbnail_key = format!("{stem}.thumb.{extension}");
    state
        .blobs
        .put(&thumbnail_key, Bytes::from(thumbnail))
        .await?;
    Ok(Preview::Ready {
        width: i64::from(width),
        height: i64::from(height),
        thumbnail_key,
    })
}

/// The content type of a stored thumbnail, from its key.
pub fn thumbnail_type(key: &str) -> &'static str {
    if key.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    }
}

/// Why a picture was refused as an avatar or icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureError {
    /// Not PNG, JPEG, WebP or GIF, or not decodable.
    NotAnImage,
}

/// An avatar or room icon as stored: decoded (PNG, JPEG, WebP or GIF only, sniffed from the
/// bytes), scaled to fit [`AVATAR_MAX_SIDE`], and re-encoded as PNG, so nothing the client
/// sent but the pixels is ever served.
pub async fn picture_png(bytes: Bytes) -> DomainResult<Result<Bytes, PictureError>> {
    if !sniff::is_safe_raster(sniff::sniff(&bytes[..bytes.len().min(64)])) {
        return Ok(Err(PictureError::NotAnImage));
    }
    tokio::task::spawn_blocking(move || {
        let Decoded::Image(image) = decode(&bytes, MAX_DECODED_SIDE) else {
            return Err(PictureError::NotAnImage);
        };
        let image = if image.width() > AVATAR_MAX_SIDE || image.height() > AVATAR_MAX_SIDE {
            image.resize(
                AVATAR_MAX_SIDE,
                AVATAR_MAX_SIDE,
                image::imageops::FilterType::Triangle,
            )
        } else {
            image
        };
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .map_err(|_| PictureError::NotAnImage)?;
        Ok(Bytes::from(out))
    })
    .await
    .map_err(|e| DomainError::Internal(format!("image task failed: {e}")))
}
