//! Evidence files uploaded with a report (DOMAIN.md §4: a laporan carries its evidence). What a
//! file *is* is read from its content, never from its name: a `.jpg` that is really a Windows
//! program or a web page is refused. Accepted are the photos, videos, voice recordings and
//! documents phones and offices produce: JPEG, PNG, WebP, GIF, HEIC; MP4, 3GP, MOV; MP3, OGG
//! (Opus, Vorbis), M4A, AAC, WAV; PDF.
//!
//! Photos taken by phones carry where they were taken (EXIF GPS) and often who took them. Pages
//! show only `display_copy`: for JPEG, PNG and WebP the same picture with its metadata removed
//! (EXIF, XMP, IPTC, comments, thumbnails and anything appended after the image, such as the
//! video of a "motion photo" or the extra pictures of an MPF file); the colour profile and, for
//! JPEG, the orientation are kept so that the picture looks the same. Every other kind is offered
//! for download only, byte for byte as received. The original is kept and fingerprinted with
//! `sha256_hex`, so that what was received can be proved later.
//!
//! The signatures are checked by hand (no dependency): for the ISO base media family (MP4, 3GP,
//! MOV, M4A, HEIC) by the `ftyp` box's major and compatible brands, and for an MP4 whose brands
//! do not say, by whether its tracks hold video or only sound.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An accepted kind of evidence file, as detected from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Jpeg,
    Png,
    Webp,
    Gif,
    /// HEIF images, almost always HEVC-coded (HEIC) from iPhones and recent Android phones.
    Heic,
    Mp4,
    /// 3GPP and 3GPP2 video (and sound-only recordings in the same container).
    #[serde(rename = "3gp")]
    ThreeGp,
    /// QuickTime (iPhone videos).
    Mov,
    Pdf,
    Mp3,
    /// Ogg with Opus (WhatsApp voice notes), Vorbis or Speex sound.
    Ogg,
    /// Sound-only MPEG-4 (AAC in an MP4 container).
    M4a,
    /// Raw AAC in ADTS frames.
    Aac,
    Wav,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 14] = [
        EvidenceKind::Jpeg,
        EvidenceKind::Png,
        EvidenceKind::Webp,
        EvidenceKind::Gif,
        EvidenceKind::Heic,
        EvidenceKind::Mp4,
        EvidenceKind::ThreeGp,
        EvidenceKind::Mov,
        EvidenceKind::Pdf,
        EvidenceKind::Mp3,
        EvidenceKind::Ogg,
        EvidenceKind::M4a,
        EvidenceKind::Aac,
        EvidenceKind::Wav,
    ];

    /// Stable machine name (snake_case; `3gp` for 3GP), also the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Jpeg => "jpeg",
            EvidenceKind::Png => "png",
            EvidenceKind::Webp => "webp",
            EvidenceKind::Gif => "gif",
            EvidenceKind::Heic => "heic",
            EvidenceKind::Mp4 => "mp4",
            EvidenceKind::ThreeGp => "3gp",
            EvidenceKind::Mov => "mov",
            EvidenceKind::Pdf => "pdf",
            EvidenceKind::Mp3 => "mp3",
            EvidenceKind::Ogg => "ogg",
            EvidenceKind::M4a => "m4a",
            EvidenceKind::Aac => "aac",
            EvidenceKind::Wav => "wav",
        }
    }

    /// The kind with machine name `code` (see `as_str`).
    pub fn from_code(code: &str) -> Option<EvidenceKind> {
        EvidenceKind::ALL.into_iter().find(|k| k.as_str() == code)
    }

    /// The media type to send it with.
    pub fn mime(self) -> &'static str {
        match self {
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Webp => "image/webp",
            EvidenceKind::Gif => "image/gif",
            EvidenceKind::Heic => "image/heic",
            EvidenceKind::Mp4 => "video/mp4",
            EvidenceKind::ThreeGp => "video/3gpp",
            EvidenceKind::Mov => "video/quicktime",
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Mp3 => "audio/mpeg",
            EvidenceKind::Ogg => "audio/ogg",
            EvidenceKind::M4a => "audio/mp4",
            EvidenceKind::Aac => "audio/aac",
            EvidenceKind::Wav => "audio/wav",
        }
    }

    /// The file name extension to save it with, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            EvidenceKind::Jpeg => "jpg",
            other => other.as_str(),
        }
    }

    /// A photo or picture (JPEG, PNG, WebP, GIF, HEIC).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            EvidenceKind::Jpeg
                | EvidenceKind::Png
                | EvidenceKind::Webp
                | EvidenceKind::Gif
                | EvidenceKind::Heic
        )
    }

    /// True for the kinds pages may show inline, from `display_copy` (JPEG, PNG, WebP); the
    /// others are offered as downloads only.
    pub fn is_displayable(self) -> bool {
        matches!(
            self,
            EvidenceKind::Jpeg | EvidenceKind::Png | EvidenceKind::Webp
        )
    }

    /// The name people use, in Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Jpeg => "Foto JPEG",
            EvidenceKind::Png => "Gambar PNG",
            EvidenceKind::Webp => "Gambar WebP",
            EvidenceKind::Gif => "Gambar GIF",
            EvidenceKind::Heic => "Foto HEIC (iPhone)",
            EvidenceKind::Mp4 => "Video MP4",
            EvidenceKind::ThreeGp => "Video 3GP",
            EvidenceKind::Mov => "Video MOV (iPhone)",
            EvidenceKind::Pdf => "Dokumen PDF",
            EvidenceKind::Mp3 => "Rekaman suara MP3",
            EvidenceKind::Ogg => "Rekaman suara OGG/Opus",
            EvidenceKind::M4a => "Rekaman suara M4A",
            EvidenceKind::Aac => "Rekaman suara AAC",
            EvidenceKind::Wav => "Rekaman suara WAV",
        }
    }

    /// The format's usual short name (`JPEG`, `3GP`), the same in every language.
    fn short_name(self) -> &'static str {
        match self {
            EvidenceKind::Jpeg => "JPEG",
            EvidenceKind::Png => "PNG",
            EvidenceKind::Webp => "WebP",
            EvidenceKind::Gif => "GIF",
            EvidenceKind::Heic => "HEIC",
            EvidenceKind::Mp4 => "MP4",
            EvidenceKind::ThreeGp => "3GP",
            EvidenceKind::Mov => "MOV",
            EvidenceKind::Pdf => "PDF",
            EvidenceKind::Mp3 => "MP3",
            EvidenceKind::Ogg => "OGG",
            EvidenceKind::M4a => "M4A",
            EvidenceKind::Aac => "AAC",
            EvidenceKind::Wav => "WAV",
        }
    }
}

impl fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

impl FromStr for EvidenceKind {
    type Err = EvidenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EvidenceKind::from_code(s).ok_or(EvidenceError::Unknown)
    }
}

/// Why a file was refused as evidence, or no display copy could be made. Indonesian first,
/// English second; the refusals name what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("berkas bukti kosong (the evidence file is empty)")]
    Empty,
    #[error(
        "berkas {0} tidak diterima sebagai bukti; yang diterima: foto (JPEG, PNG, WebP, GIF, \
         HEIC), video (MP4, 3GP, MOV), rekaman suara (MP3, OGG/Opus, M4A/AAC, WAV) dan dokumen \
         PDF ({0} files are not accepted as evidence; accepted are photos (JPEG, PNG, WebP, GIF, \
         HEIC), videos (MP4, 3GP, MOV), sound recordings (MP3, OGG/Opus, M4A/AAC, WAV) and PDF \
         documents)"
    )]
    Disallowed(&'static str),
    #[error(
        "jenis berkas tidak dikenali atau tidak diterima; yang diterima: foto (JPEG, PNG, WebP, \
         GIF, HEIC), video (MP4, 3GP, MOV), rekaman suara (MP3, OGG/Opus, M4A/AAC, WAV) dan \
         dokumen PDF (unknown or unaccepted file type; accepted are photos (JPEG, PNG, WebP, GIF, \
         HEIC), videos (MP4, 3GP, MOV), sound recordings (MP3, OGG/Opus, M4A/AAC, WAV) and PDF \
         documents)"
    )]
    Unknown,
    #[error(
        "berkas {kind} rusak atau terpotong, salinan untuk ditampilkan tidak dapat dibuat \
         (the {kind} file is damaged or truncated: {reason}; no display copy can be made)"
    )]
    Malformed {
        kind: EvidenceKind,
        reason: &'static str,
    },
}

impl EvidenceError {
    /// Stable code for the API and the message catalogues.
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceError::Empty => "evidence_empty",
            EvidenceError::Disallowed(_) => "evidence_disallowed",
            EvidenceError::Unknown => "evidence_unknown",
            EvidenceError::Malformed { .. } => "evidence_malformed",
        }
    }
}

/// The SHA-256 of `bytes` in lower-case hexadecimal: the fingerprint of an original file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// The kind of an evidence file, from its first bytes (and, for MP4, its track list). Unknown or
/// refused content (programs, archives, web pages, scripts) is an error that names the accepted
/// kinds.
pub fn sniff(bytes: &[u8]) -> Result<EvidenceKind, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    let at = |offset: usize, sig: &[u8]| {
        bytes
            .get(offset..offset + sig.len())
            .is_some_and(|s| s == sig)
    };
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(EvidenceKind::Jpeg);
    }
    if starts(PNG_SIGNATURE) {
        return Ok(EvidenceKind::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(EvidenceKind::Gif);
    }
    if starts(b"RIFF") && at(8, b"WEBP") {
        return Ok(EvidenceKind::Webp);
    }
    if (starts(b"RIFF") || starts(b"RF64")) && at(8, b"WAVE") {
        return Ok(EvidenceKind::Wav);
    }
    if starts(b"%PDF-") {
        return Ok(EvidenceKind::Pdf);
    }
    if at(4, b"ftyp") {
        return sniff_iso_bmff(bytes);
    }
    // QuickTime files from before `ftyp` existed start with one of these atoms.
    if [&b"moov"[..], b"mdat", b"wide", b"pnot"]
        .iter()
        .any(|atom| at(4, atom))
        && be_u32(bytes, 0).is_some_and(|size| size == 0 || size >= 8)
    {
        return Ok(EvidenceKind::Mov);
    }
    if starts(b"OggS") {
        return sniff_ogg(bytes);
    }
    if starts(b"ID3") {
        return Ok(sniff_after_id3(bytes));
    }
    if let Some(kind) = sniff_audio_frames(bytes) {
        return Ok(kind);
    }
    match refused_kind(bytes) {
        Some(name) => Err(EvidenceError::Disallowed(name)),
        None => Err(EvidenceError::Unknown),
    }
}

/// A recognisable kind that is refused, by the name to show.
fn refused_kind(bytes: &[u8]) -> Option<&'static str> {
    const BINARY: [(&[u8], &str); 13] = [
        (b"MZ", "EXE/DLL"),
        (b"\x7fELF", "ELF"),
        (b"PK\x03\x04", "ZIP/APK/DOCX"),
        (b"PK\x05\x06", "ZIP"),
        (b"Rar!\x1a\x07", "RAR"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"\x1f\x8b", "GZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office (OLE)"),
        (b"\xca\xfe\xba\xbe", "Mach-O/Java"),
        (b"\xcf\xfa\xed\xfe", "Mach-O"),
        (b"\xce\xfa\xed\xfe", "Mach-O"),
        (b"#!", "skrip/script"),
        (b"{\\rtf", "RTF"),
    ];
    if let Some((_, name)) = BINARY.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(name);
    }
    // Text markup, after an optional byte-order mark and white space.
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head: Vec<u8> = text[start..]
        .iter()
        .take(16)
        .map(u8::to_ascii_lowercase)
        .collect();
    const MARKUP: [(&[u8], &str); 8] = [
        (b"<!doctype html", "HTML"),
        (b"<html", "HTML"),
        (b"<head", "HTML"),
        (b"<body", "HTML"),
        (b"<script", "HTML"),
        (b"<!--", "HTML"),
        (b"<svg", "SVG"),
        (b"<?xml", "XML/SVG"),
    ];
    MARKUP
        .iter()
        .find(|(sig, _)| head.starts_with(sig))
        .map(|(_, name)| *name)
}

/// What an ISO base media brand says about the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Brand {
    /// An HEVC-coded HEIF image or sequence (HEIC).
    Heic,
    /// A HEIF file whose coding the brand does not say (`mif1`, `msf1`).
    Heif,
    Avif,
    ThreeGp,
    QuickTime,
    M4a,
    /// A generic MP4 brand: video, or sound only.
    Mp4,
}

fn brand(b: &[u8]) -> Option<Brand> {
    Some(match b {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => {
            Brand::Heic
        }
        b"mif1" | b"msf1" | b"mif2" | b"mif3" => Brand::Heif,
        b"avif" | b"avis" | b"avio" => Brand::Avif,
        b"qt  " => Brand::QuickTime,
        b"M4A " | b"M4B " | b"F4A " => Brand::M4a,
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso7" | b"iso8" | b"iso9"
        | b"mp41" | b"mp42" | b"mp71" | b"avc1" | b"M4V " | b"M4VH" | b"M4VP" | b"MSNV"
        | b"dash" | b"f4v " | b"mmp4" | b"XAVC" | b"NDAS" => Brand::Mp4,
        _ if b.starts_with(b"3g") => Brand::ThreeGp,
        _ => return None,
    })
}

fn sniff_iso_bmff(bytes: &[u8]) -> Result<EvidenceKind, EvidenceError> {
    let size = be_u32(bytes, 0).unwrap_or(0) as usize;
    let major = bytes.get(8..12).ok_or(EvidenceError::Unknown)?;
    let end = size.min(bytes.len());
    let compatible: Vec<&[u8]> = bytes.get(16..end).unwrap_or(&[]).chunks_exact(4).collect();
    let compatible_brands = || compatible.iter().filter_map(|b| brand(b));
    let decided = match brand(major) {
        Some(Brand::Heif) => {
            // A generic HEIF file: AVIF if its compatible brands say so, HEIC otherwise.
            if compatible_brands().any(|b| b == Brand::Avif)
                && !compatible_brands().any(|b| b == Brand::Heic)
            {
                Brand::Avif
            } else {
                Brand::Heic
            }
        }
        Some(b) => b,
        None => {
            // An unknown major brand: the most specific compatible brand decides.
            let order = [
                Brand::Heic,
                Brand::Heif,
                Brand::Avif,
                Brand::QuickTime,
                Brand::ThreeGp,
                Brand::M4a,
                Brand::Mp4,
            ];
            order
                .into_iter()
                .find(|want| compatible_brands().any(|b| b == *want))
                .ok_or(EvidenceError::Unknown)?
        }
    };
    match decided {
        Brand::Heic | Brand::Heif => Ok(EvidenceKind::Heic),
        Brand::Avif => Err(EvidenceError::Disallowed("AVIF")),
        Brand::ThreeGp => Ok(EvidenceKind::ThreeGp),
        Brand::QuickTime => Ok(EvidenceKind::Mov),
        Brand::M4a => Ok(EvidenceKind::M4a),
        Brand::Mp4 => {
            let handlers = track_handlers(bytes);
            if !handlers.iter().any(|h| h == b"vide") && handlers.iter().any(|h| h == b"soun") {
                Ok(EvidenceKind::M4a)
            } else {
                Ok(EvidenceKind::Mp4)
            }
        }
    }
}

/// The boxes directly inside `data`, as (type, content). Stops at the first malformed box.
fn boxes(data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while let (Some(size), Some(kind)) = (be_u32(data, pos), data.get(pos + 4..pos + 8)) {
        let (header, size) = match size {
            0 => (8, data.len() - pos),
            1 => match data.get(pos + 8..pos + 16) {
                Some(s) => {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(s);
                    (
                        16,
                        usize::try_from(u64::from_be_bytes(b)).unwrap_or(usize::MAX),
                    )
                }
                None => break,
            },
            n => (8, n as usize),
        };
        let Some(end) = pos.checked_add(size) else {
            break;
        };
        if size < header || end > data.len() {
            break;
        }
        let mut k = [0u8; 4];
        k.copy_from_slice(kind);
        out.push((k, &data[pos + header..end]));
        pos = end;
    }
    out
}

/// The handler types (`vide`, `soun`, …) of the tracks of an MP4 file's `moov` box.
fn track_handlers(bytes: &[u8]) -> Vec<[u8; 4]> {
    let mut handlers = Vec::new();
    for (kind, moov) in boxes(bytes) {
        if &kind != b"moov" {
            continue;
        }
        for (kind, trak) in boxes(moov) {
            if &kind != b"trak" {
                continue;
            }
            for (kind, mdia) in boxes(trak) {
                if &kind != b"mdia" {
                    continue;
                }
                for (kind, hdlr) in boxes(mdia) {
                    // version and flags (4), pre_defined (4), handler_type (4)
                    if &kind == b"hdlr" {
                        if let Some(h) = hdlr.get(8..12) {
                            let mut t = [0u8; 4];
                            t.copy_from_slice(h);
                            handlers.push(t);
                        }
                    }
                }
            }
        }
    }
    handlers
}

/// Ogg: accepted when its first stream is sound (Opus, Vorbis, Speex, FLAC).
fn sniff_ogg(bytes: &[u8]) -> Result<EvidenceKind, EvidenceError> {
    let Some(&segments) = bytes.get(26) else {
        return Ok(EvidenceKind::Ogg);
    };
    let packet = bytes.get(27 + usize::from(segments)..).unwrap_or(&[]);
    if packet.len() < 8 {
        return Ok(EvidenceKind::Ogg);
    }
    let audio = [&b"OpusHead"[..], b"\x01vorbis", b"Speex   ", b"\x7fFLAC"];
    if audio.iter().any(|sig| packet.starts_with(sig)) {
        Ok(EvidenceKind::Ogg)
    } else if packet.starts_with(b"\x80theora") {
        Err(EvidenceError::Disallowed("Ogg Theora"))
    } else {
        Err(EvidenceError::Unknown)
    }
}

/// After an ID3v2 tag comes MP3 (almost always) or ADTS AAC.
fn sniff_after_id3(bytes: &[u8]) -> EvidenceKind {
    let size = bytes.get(6..10).map(|s| {
        // A "synchsafe" integer: seven bits a byte.
        s.iter()
            .fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f))
    });
    let footer = bytes.get(5).is_some_and(|f| f & 0x10 != 0);
    if let Some(size) = size {
        let start = 10 + size + if footer { 10 } else { 0 };
        if let Some(rest) = bytes.get(start..) {
            if adts_frame_len(rest).is_some() {
                return EvidenceKind::Aac;
            }
        }
    }
    EvidenceKind::Mp3
}

/// The length of the MPEG-1/2/2.5 Layer III frame whose header starts `b`.
fn mp3_frame_len(b: &[u8]) -> Option<usize> {
    let (b0, b1, b2) = (*b.first()?, *b.get(1)?, *b.get(2)?);
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version = (b1 >> 3) & 3; // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
    let layer = (b1 >> 1) & 3; // 1: Layer III
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 3);
    let padding = usize::from((b2 >> 1) & 1);
    if version == 1 || layer != 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const MPEG1_KBPS: [usize; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const MPEG2_KBPS: [usize; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let (kbps, rate, factor) = match version {
        3 => (
            MPEG1_KBPS[bitrate_index],
            [44_100, 48_000, 32_000][rate_index],
            144_000,
        ),
        2 => (
            MPEG2_KBPS[bitrate_index],
            [22_050, 24_000, 16_000][rate_index],
            72_000,
        ),
        _ => (
            MPEG2_KBPS[bitrate_index],
            [11_025, 12_000, 8_000][rate_index],
            72_000,
        ),
    };
    Some(factor * kbps / rate + padding)
}

/// The length of the ADTS (raw AAC) frame whose header starts `b`.
fn adts_frame_len(b: &[u8]) -> Option<usize> {
    let h = b.get(..7)?;
    if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 || (h[2] >> 2) & 0x0F > 12 {
        return None;
    }
    let len = (usize::from(h[3] & 0x03) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
    (len >= 7).then_some(len)
}

/// MP3 or AAC without a tag: a frame header, and a second one where the first frame ends when
/// the file is long enough to tell (so that random bytes are not taken for sound).
fn sniff_audio_frames(bytes: &[u8]) -> Option<EvidenceKind> {
    type FrameLen = fn(&[u8]) -> Option<usize>;
    let candidates: [(FrameLen, EvidenceKind); 2] = [
        (mp3_frame_len, EvidenceKind::Mp3),
        (adts_frame_len, EvidenceKind::Aac),
    ];
    for (frame_len, kind) in candidates {
        let Some(len) = frame_len(bytes) else {
            continue;
        };
        match bytes.get(len..) {
            Some(next) if next.len() >= 7 => {
                if frame_len(next).is_some() {
                    return Some(kind);
                }
            }
            _ => return Some(kind),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Display copies
// ---------------------------------------------------------------------------------------------

/// The copy of an evidence file that pages may show. For JPEG, PNG and WebP: the same picture
/// without its metadata — EXIF (with GPS), XMP, IPTC, comments, embedded thumbnails, text chunks
/// and anything after the end of the image — keeping the colour profile and, for JPEG, the EXIF
/// orientation alone (rewritten in a fresh, minimal EXIF segment). The picture data is copied
/// unchanged, never re-encoded. Other kinds are returned as they are (pages offer them as
/// downloads only). An image whose structure is broken before its picture data is refused.
pub fn display_copy(kind: EvidenceKind, bytes: &[u8]) -> Result<Vec<u8>, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    match kind {
        EvidenceKind::Jpeg => jpeg_display_copy(bytes),
        EvidenceKind::Png => png_display_copy(bytes),
        EvidenceKind::Webp => webp_display_copy(bytes),
        _ => Ok(bytes.to_vec()),
    }
}

const JPEG_SOI: [u8; 2] = [0xFF, 0xD8];
const JPEG_EOI: [u8; 2] = [0xFF, 0xD9];

/// The orientation (1–8) in the first IFD of an EXIF TIFF block.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let little = match tiff.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let s = tiff.get(at..at.checked_add(2)?)?;
        Some(if little {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        })
    };
    let ifd = {
        let s = tiff.get(4..8)?;
        let v = if little {
            u32::from_le_bytes([s[0], s[1], s[2], s[3]])
        } else {
            u32::from_be_bytes([s[0], s[1], s[2], s[3]])
        };
        usize::try_from(v).ok()?
    };
    let count = usize::from(u16_at(ifd)?);
    for k in 0..count {
        let entry = ifd.checked_add(2 + 12 * k)?;
        if u16_at(entry)? == 0x0112 {
            // Orientation: type SHORT (3), one value, stored in the first two bytes.
            if u16_at(entry + 2)? != 3 {
                return None;
            }
            let v = u16_at(entry + 8)?;
            return (1..=8).contains(&v).then_some(v);
        }
    }
    None
}

/// An APP1 segment with an EXIF block that holds the orientation and nothing else.
fn orientation_segment(orientation: u16) -> Vec<u8> {
    let mut seg = Vec::with_capacity(36);
    seg.extend_from_slice(&[0xFF, 0xE1, 0x00, 34]); // 34 = 2 (length) + 6 + 26
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian TIFF, first IFD at 8
    seg.extend_from_slice(&[0x00, 0x01]); // one entry
    seg.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]); // Orientation, SHORT, 1
    seg.extend_from_slice(&orientation.to_be_bytes());
    seg.extend_from_slice(&[0x00, 0x00]);
    seg.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // no further IFD
    seg
}

/// Copies a JPEG marker by marker, keeping what draws the picture (tables, frame and scan
/// headers, entropy-coded data), the JFIF header without its thumbnail, ICC profile segments and
/// Adobe's colour-transform segment, and dropping every other APPn segment (EXIF, XMP, MPF,
/// IPTC …), comments and whatever follows EOI. A file cut short inside its picture data gets an
/// EOI so that what arrived can still be shown.
fn jpeg_display_copy(b: &[u8]) -> Result<Vec<u8>, EvidenceError> {
    let bad = |reason| EvidenceError::Malformed {
        kind: EvidenceKind::Jpeg,
        reason,
    };
    if !b.starts_with(&JPEG_SOI) {
        return Err(bad("no start-of-image marker"));
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&JPEG_SOI);
    let mut pos = 2;
    let mut orientation_written = false;
    let mut seen_scan = false;
    loop {
        // Find the next marker, skipping stray bytes and 0xFF fill bytes.
        while pos < b.len() && b[pos] != 0xFF {
            pos += 1;
        }
        while pos + 1 < b.len() && b[pos + 1] == 0xFF {
            pos += 1;
        }
        if pos + 1 >= b.len() {
            if seen_scan {
                out.extend_from_slice(&JPEG_EOI);
                return Ok(out);
            }
            return Err(bad("the file ends before the picture data"));
        }
        let marker = b[pos + 1];
        match marker {
            0xD9 => {
                if !seen_scan {
                    return Err(bad("no picture data before the end-of-image marker"));
                }
                out.extend_from_slice(&JPEG_EOI);
                return Ok(out);
            }
            0xD8 => return Err(bad("a second start-of-image marker")),
            0x00 => return Err(bad("a stuffed byte outside picture data")),
            0x01 | 0xD0..=0xD7 => {
                // Markers without a length.
                out.extend_from_slice(&b[pos..pos + 2]);
                pos += 2;
                continue;
            }
            _ => {}
        }
        let len = be_u16(b, pos + 2).ok_or(bad("a segment is cut short"))?;
        let len = usize::from(len);
        if len < 2 {
            return Err(bad("a segment has an impossible length"));
        }
        let end = pos + 2 + len;
        if end > b.len() {
            return Err(bad("a segment is cut short"));
        }
        let payload = &b[pos + 4..end];
        match marker {
            0xE0 => {
                // JFIF: identifier (5), version (2), units (1), densities (4), then the
                // thumbnail's size (2) and pixels, which go.
                if payload.starts_with(b"JFIF\0") && payload.len() >= 14 {
                    out.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
                    out.extend_from_slice(&payload[..12]);
                    out.extend_from_slice(&[0, 0]);
                }
            }
            0xE1 => {
                if let Some(tiff) = payload.strip_prefix(b"Exif\0\0") {
                    if let Some(o) = exif_orientation(tiff).filter(|&o| o != 1) {
                        if !orientation_written {
                            out.extend_from_slice(&orientation_segment(o));
                            orientation_written = true;
                        }
                    }
                }
            }
            0xE2 if payload.starts_with(b"ICC_PROFILE\0") => out.extend_from_slice(&b[pos..end]),
            0xEE if payload.starts_with(b"Adobe") => out.extend_from_slice(&b[pos..end]),
            0xE0..=0xEF | 0xFE => {}
            _ => out.extend_from_slice(&b[pos..end]),
        }
        pos = end;
        if marker == 0xDA {
            // Start of scan: entropy-coded data runs to the next marker that is not a stuffed
            // zero or a restart marker.
            seen_scan = true;
            let mut i = pos;
            while i < b.len() {
                if b[i] == 0xFF {
                    match b.get(i + 1) {
                        Some(0x00 | 0xD0..=0xD7) => {
                            i += 2;
                            continue;
                        }
                        _ => break,
                    }
                }
                i += 1;
            }
            let i = i.min(b.len());
            out.extend_from_slice(&b[pos..i]);
            pos = i;
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];

/// The PNG chunks a display copy keeps: the critical ones, transparency, colour (gamma,
/// chromaticities, sRGB, ICC, cICP and HDR metadata), significant bits, background, physical
/// size, palette histogram and animation (APNG). Text (tEXt, zTXt, iTXt — where XMP lives), eXIf,
/// tIME and private chunks go.
const PNG_KEEP: [&[u8; 4]; 21] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"cICP", b"mDCV", b"mDCv", b"cLLI", b"cLLi", b"bKGD", b"pHYs", b"hIST", b"acTL", b"fcTL",
    b"fdAT",
];

fn png_display_copy(b: &[u8]) -> Result<Vec<u8>, EvidenceError> {
    let bad = |reason| EvidenceError::Malformed {
        kind: EvidenceKind::Png,
        reason,
    };
    if !b.starts_with(PNG_SIGNATURE) {
        return Err(bad("no PNG signature"));
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut pos = PNG_SIGNATURE.len();
    let mut first = true;
    let mut seen_data = false;
    loop {
        if pos == b.len() {
            // Cut short exactly after a chunk: close it if there is picture data.
            if seen_data {
                out.extend_from_slice(&PNG_IEND);
                return Ok(out);
            }
            return Err(bad("the file ends before the picture data"));
        }
        let len = be_u32(b, pos).ok_or(bad("a chunk is cut short"))?;
        if len > 0x7FFF_FFFF {
            return Err(bad("a chunk has an impossible length"));
        }
        let kind = b.get(pos + 4..pos + 8).ok_or(bad("a chunk is cut short"))?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(bad("a chunk has an invalid type"));
        }
        let end = (pos + 12)
            .checked_add(len as usize)
            .filter(|&e| e <= b.len())
            .ok_or(bad("a chunk is cut short"))?;
        if first && kind != b"IHDR" {
            return Err(bad("the first chunk is not IHDR"));
        }
        first = false;
        if PNG_KEEP.iter().any(|k| &k[..] == kind) {
            out.extend_from_slice(&b[pos..end]);
        } else if kind[0].is_ascii_uppercase() {
            return Err(bad("an unknown critical chunk"));
        }
        if kind == b"IDAT" || kind == b"fdAT" {
            seen_data = true;
        }
        pos = end;
        if kind == b"IEND" {
            if !seen_data {
                return Err(bad("no picture data"));
            }
            return Ok(out);
        }
    }
}

/// The WebP chunks a display copy keeps; EXIF, XMP and unknown chunks go.
const WEBP_KEEP: [&[u8; 4]; 7] = [
    b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];
/// VP8X flag bits that announce EXIF and XMP chunks.
const WEBP_FLAG_EXIF: u8 = 0x08;
const WEBP_FLAG_XMP: u8 = 0x04;

fn webp_display_copy(b: &[u8]) -> Result<Vec<u8>, EvidenceError> {
    let bad = |reason| EvidenceError::Malformed {
        kind: EvidenceKind::Webp,
        reason,
    };
    if !(b.starts_with(b"RIFF") && b.get(8..12) == Some(&b"WEBP"[..])) {
        return Err(bad("no RIFF/WEBP header"));
    }
    let declared = le_u32(b, 4).ok_or(bad("no RIFF/WEBP header"))? as usize;
    let riff_end = declared.saturating_add(8).min(b.len());
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let mut pos = 12;
    let mut seen_picture = false;
    while pos + 8 <= riff_end {
        let kind = &b[pos..pos + 4];
        let size = le_u32(b, pos + 4).ok_or(bad("a chunk is cut short"))? as usize;
        let end = (pos + 8)
            .checked_add(size)
            .filter(|&e| e <= riff_end)
            .ok_or(bad("a chunk is cut short"))?;
        let payload = &b[pos + 8..end];
        if WEBP_KEEP.iter().any(|k| &k[..] == kind) {
            out.extend_from_slice(kind);
            out.extend_from_slice(&(size as u32).to_le_bytes());
            if kind == b"VP8X" {
                let (flags, rest) = payload.split_first().ok_or(bad("an empty VP8X chunk"))?;
                out.push(flags & !(WEBP_FLAG_EXIF | WEBP_FLAG_XMP));
                out.extend_from_slice(rest);
            } else {
                out.extend_from_slice(payload);
            }
            if size % 2 == 1 {
                out.push(0);
            }
        }
        if matches!(kind, b"VP8 " | b"VP8L" | b"ANMF") {
            seen_picture = true;
        }
        pos = end + size % 2;
    }
    if !seen_picture {
        return Err(bad("no picture data"));
    }
    let riff_size = u32::try_from(out.len() - 8).map_err(|_| bad("too large"))?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ExtendedColorType, ImageEncoder, ImageFormat};
    use proptest::prelude::*;

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    // --- fixtures ------------------------------------------------------------------------

    const W: u32 = 16;
    const H: u32 = 12;

    fn pixels() -> Vec<u8> {
        (0..W * H)
            .flat_map(|i| {
                let (x, y) = (i % W, i / W);
                [(x * 15) as u8, (y * 20) as u8, ((x + y) * 7) as u8]
            })
            .collect()
    }

    fn jpeg_fixture() -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(&pixels(), W, H, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn png_fixture() -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&pixels(), W, H, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn webp_fixture() -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(&pixels(), W, H, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn decoded(bytes: &[u8], format: ImageFormat) -> Vec<u8> {
        image::load_from_memory_with_format(bytes, format)
            .unwrap()
            .to_rgb8()
            .into_raw()
    }

    /// A big-endian TIFF block as phones write it: IFD0 with the orientation and a pointer to a
    /// GPS IFD holding a latitude (Jepara, 6°35'20.76" S) and a recognisable map datum.
    fn tiff_with_gps(orientation: u16) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
        // IFD0 at 8: two entries, then no next IFD; the GPS IFD follows at 38.
        t.extend_from_slice(&[0, 2]);
        t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        t.extend_from_slice(&orientation.to_be_bytes());
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
        t.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(t.len(), 38);
        // GPS IFD: LatitudeRef "S", Latitude (3 rationals at 80), MapDatum (24 bytes at 104).
        t.extend_from_slice(&[0, 3]);
        t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'S', 0, 0, 0]);
        t.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 80]);
        t.extend_from_slice(&[0, 0x12, 0, 2, 0, 0, 0, 24, 0, 0, 0, 104]);
        t.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(t.len(), 80);
        for (num, den) in [(6u32, 1u32), (35, 1), (2076, 100)] {
            t.extend_from_slice(&num.to_be_bytes());
            t.extend_from_slice(&den.to_be_bytes());
        }
        t.extend_from_slice(b"WGS-84 POSKO-GPS-MARKER\0");
        assert_eq!(t.len(), 128);
        t
    }

    const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
        <exif:GPSLatitude>6,35.346S</exif:GPSLatitude></x:xmpmeta>";

    fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(payload.len() + 2).unwrap();
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&len.to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    /// The fixture with a phone's worth of metadata: EXIF with GPS, XMP, an ICC profile, MPF,
    /// IPTC, a comment, and a "motion photo" after the end of the image.
    fn jpeg_with_metadata(orientation: u16) -> Vec<u8> {
        let plain = jpeg_fixture();
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&tiff_with_gps(orientation));
        let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
        icc.extend_from_slice(b"fake-icc-profile-bytes");
        let mut out = plain[..2].to_vec();
        out.extend(jpeg_segment(0xE1, &exif));
        out.extend(jpeg_segment(0xE1, XMP));
        out.extend(jpeg_segment(0xE2, &icc));
        out.extend(jpeg_segment(0xE2, b"MPF\0MM\0\x2a-other-pictures"));
        out.extend(jpeg_segment(0xED, b"Photoshop 3.0\08BIM City: Jepara"));
        out.extend(jpeg_segment(0xFE, b"Diambil oleh Budi"));
        out.extend_from_slice(&plain[2..]);
        out.extend_from_slice(b"MotionPhoto_Data\0\0\0\x18ftypmp42 GPS-IN-TRAILER");
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    }

    fn webp_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = kind.to_vec();
        c.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn riff_webp(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend(body);
        out
    }

    /// The chunk ids of a WebP file, in order.
    fn webp_chunk_ids(b: &[u8]) -> Vec<[u8; 4]> {
        let mut ids = Vec::new();
        let mut pos = 12;
        while pos + 8 <= b.len() {
            ids.push(b[pos..pos + 4].try_into().unwrap());
            let size = le_u32(b, pos + 4).unwrap() as usize;
            pos += 8 + size + size % 2;
        }
        ids
    }

    // --- display copies ---------------------------------------------------------------------

    #[test]
    fn jpeg_display_copy_drops_gps_and_other_metadata() {
        let original = jpeg_with_metadata(6);
        assert_eq!(sniff(&original).unwrap(), EvidenceKind::Jpeg);
        assert!(contains(&original, b"POSKO-GPS-MARKER"));
        let copy = display_copy(EvidenceKind::Jpeg, &original).unwrap();
        assert!(copy.starts_with(&JPEG_SOI));
        assert!(copy.ends_with(&JPEG_EOI));
        for gone in [
            &b"POSKO-GPS-MARKER"[..],
            b"GPSLatitude",
            b"ns.adobe.com",
            b"MPF\0",
            b"Photoshop",
            b"Budi",
            b"MotionPhoto",
            b"GPS-IN-TRAILER",
            &[0x88, 0x25],
        ] {
            assert!(
                !contains(&copy, gone),
                "{:?} survived",
                String::from_utf8_lossy(gone)
            );
        }
        // The colour profile stays, and the orientation in a minimal EXIF block of its own.
        assert!(contains(&copy, b"fake-icc-profile-bytes"));
        assert!(contains(&copy, &orientation_segment(6)));
        let exif_at = copy.windows(6).position(|w| w == b"Exif\0\0").unwrap();
        assert_eq!(exif_orientation(&copy[exif_at + 6..]), Some(6));
        // The picture is the same, pixel for pixel.
        assert_eq!(
            decoded(&copy, ImageFormat::Jpeg),
            decoded(&jpeg_fixture(), ImageFormat::Jpeg)
        );
        // Nothing left to remove: a second pass changes nothing.
        assert_eq!(display_copy(EvidenceKind::Jpeg, &copy).unwrap(), copy);
    }

    #[test]
    fn jpeg_without_rotation_gets_no_exif_at_all() {
        let copy = display_copy(EvidenceKind::Jpeg, &jpeg_with_metadata(1)).unwrap();
        assert!(!contains(&copy, b"Exif"));
        // A plain encoder output loses nothing but keeps its JFIF header.
        let plain = jpeg_fixture();
        let copy = display_copy(EvidenceKind::Jpeg, &plain).unwrap();
        assert_eq!(copy, plain);
    }

    #[test]
    fn jpeg_jfif_thumbnail_is_removed() {
        let plain = jpeg_fixture();
        assert_eq!(&plain[2..4], &[0xFF, 0xE0]);
        let app0_len = usize::from(be_u16(&plain, 4).unwrap());
        // JFIF 1.01 with a 2×1 RGB thumbnail.
        let mut jfif = b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x02\x01".to_vec();
        jfif.extend_from_slice(b"THUMBS");
        let mut with_thumb = plain[..2].to_vec();
        with_thumb.extend(jpeg_segment(0xE0, &jfif));
        with_thumb.extend_from_slice(&plain[4 + app0_len..]);
        let copy = display_copy(EvidenceKind::Jpeg, &with_thumb).unwrap();
        assert!(!contains(&copy, b"THUMBS"));
        assert_eq!(&copy[2..6], &[0xFF, 0xE0, 0x00, 0x10]);
        assert_eq!(&copy[6..20], b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
        assert_eq!(
            decoded(&copy, ImageFormat::Jpeg),
            decoded(&plain, ImageFormat::Jpeg)
        );
    }

    #[test]
    fn truncated_and_broken_jpegs() {
        let full = jpeg_with_metadata(1);
        // Cut inside the picture data: what arrived is closed with EOI.
        let cut = &full[..full.len() - 60];
        let copy = display_copy(EvidenceKind::Jpeg, cut).unwrap();
        assert!(copy.starts_with(&JPEG_SOI) && copy.ends_with(&JPEG_EOI));
        // Broken before the picture data: refused with a message.
        for bad in [
            &full[..40],
            &[0xFF, 0xD8][..],
            &[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01][..],
            &[0xFF, 0xD8, 0xFF, 0xD9][..],
            b"not a jpeg",
        ] {
            let err = display_copy(EvidenceKind::Jpeg, bad).unwrap_err();
            assert_eq!(err.code(), "evidence_malformed");
            assert!(err.to_string().contains("berkas JPEG rusak"), "{err}");
        }
        assert_eq!(
            display_copy(EvidenceKind::Jpeg, &[]).unwrap_err(),
            EvidenceError::Empty
        );
    }

    #[test]
    fn png_display_copy_drops_exif_text_and_time() {
        let plain = png_fixture();
        // After the signature (8) and IHDR (25 bytes).
        let split = 8 + 25;
        assert_eq!(&plain[12..16], b"IHDR");
        let mut original = plain[..split].to_vec();
        original.extend(png_chunk(b"gAMA", &45_455u32.to_be_bytes()));
        original.extend(png_chunk(b"eXIf", &tiff_with_gps(1)));
        original.extend(png_chunk(b"tEXt", b"Author\0Budi"));
        original.extend(png_chunk(
            b"iTXt",
            &[b"XML:com.adobe.xmp\0\0\0\0\0", XMP].concat(),
        ));
        original.extend(png_chunk(b"tIME", &[0x07, 0xE8, 2, 14, 9, 30, 0]));
        original.extend(png_chunk(b"prVt", b"private"));
        original.extend_from_slice(&plain[split..]);
        original.extend_from_slice(b"trailing GPS-IN-TRAILER");
        assert_eq!(sniff(&original).unwrap(), EvidenceKind::Png);
        assert_eq!(
            decoded(&original, ImageFormat::Png),
            decoded(&plain, ImageFormat::Png)
        );

        let copy = display_copy(EvidenceKind::Png, &original).unwrap();
        for gone in [
            &b"eXIf"[..],
            b"POSKO-GPS-MARKER",
            b"tEXt",
            b"Budi",
            b"iTXt",
            b"GPSLatitude",
            b"tIME",
            b"prVt",
            b"GPS-IN-TRAILER",
        ] {
            assert!(
                !contains(&copy, gone),
                "{:?} survived",
                String::from_utf8_lossy(gone)
            );
        }
        assert!(contains(&copy, b"gAMA"));
        assert!(copy.ends_with(&PNG_IEND));
        assert_eq!(
            decoded(&copy, ImageFormat::Png),
            decoded(&plain, ImageFormat::Png)
        );
        // The encoder's own output has nothing to remove.
        assert_eq!(display_copy(EvidenceKind::Png, &plain).unwrap(), plain);
    }

    #[test]
    fn broken_pngs_are_refused() {
        let plain = png_fixture();
        let mut unknown_critical = plain[..33].to_vec();
        unknown_critical.extend(png_chunk(b"ZZZZ", b"x"));
        unknown_critical.extend_from_slice(&plain[33..]);
        for bad in [
            &plain[..20],
            &plain[..33],
            &plain[8..],
            &unknown_critical[..],
        ] {
            assert_eq!(
                display_copy(EvidenceKind::Png, bad).unwrap_err().code(),
                "evidence_malformed"
            );
        }
        // Cut exactly before IEND: closed with IEND.
        let without_iend = &plain[..plain.len() - 12];
        assert_eq!(
            display_copy(EvidenceKind::Png, without_iend).unwrap(),
            plain
        );
    }

    #[test]
    fn webp_display_copy_drops_exif_and_xmp() {
        let simple = webp_fixture();
        assert_eq!(webp_chunk_ids(&simple), [*b"VP8L"]);
        let vp8l = &simple[12..];
        let mut vp8x = vec![WEBP_FLAG_EXIF | WEBP_FLAG_XMP, 0, 0, 0];
        vp8x.extend_from_slice(&(W - 1).to_le_bytes()[..3]);
        vp8x.extend_from_slice(&(H - 1).to_le_bytes()[..3]);
        let mut exif = tiff_with_gps(1);
        exif.push(0); // an odd size, to exercise padding
        let original = riff_webp(&[
            webp_chunk(b"VP8X", &vp8x),
            webp_chunk(b"VP8L", &vp8l[8..8 + le_u32(vp8l, 4).unwrap() as usize]),
            webp_chunk(b"EXIF", &exif),
            webp_chunk(b"XMP ", XMP),
        ]);
        assert_eq!(sniff(&original).unwrap(), EvidenceKind::Webp);
        assert_eq!(
            decoded(&original, ImageFormat::WebP),
            decoded(&simple, ImageFormat::WebP)
        );

        let copy = display_copy(EvidenceKind::Webp, &original).unwrap();
        assert_eq!(webp_chunk_ids(&copy), [*b"VP8X", *b"VP8L"]);
        assert_eq!(copy[20] & (WEBP_FLAG_EXIF | WEBP_FLAG_XMP), 0);
        assert_eq!(le_u32(&copy, 4).unwrap() as usize, copy.len() - 8);
        assert!(!contains(&copy, b"POSKO-GPS-MARKER") && !contains(&copy, b"GPSLatitude"));
        assert_eq!(
            decoded(&copy, ImageFormat::WebP),
            decoded(&simple, ImageFormat::WebP)
        );
        assert_eq!(display_copy(EvidenceKind::Webp, &simple).unwrap(), simple);
        assert_eq!(
            display_copy(EvidenceKind::Webp, &original[..30])
                .unwrap_err()
                .code(),
            "evidence_malformed"
        );
    }

    #[test]
    fn other_kinds_are_returned_unchanged() {
        let pdf = b"%PDF-1.7\n% Author: Budi\n".to_vec();
        assert_eq!(display_copy(EvidenceKind::Pdf, &pdf).unwrap(), pdf);
        let heic = samples()
            .into_iter()
            .find(|(k, _)| *k == EvidenceKind::Heic)
            .unwrap()
            .1;
        assert_eq!(display_copy(EvidenceKind::Heic, &heic).unwrap(), heic);
        for k in EvidenceKind::ALL {
            assert_eq!(
                k.is_displayable(),
                matches!(
                    k,
                    EvidenceKind::Jpeg | EvidenceKind::Png | EvidenceKind::Webp
                )
            );
        }
    }

    // --- detection ------------------------------------------------------------------------

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = u32::try_from(16 + 4 * compatible.len()).unwrap();
        let mut b = size.to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 2, 0]);
        for c in compatible {
            b.extend_from_slice(&c[..]);
        }
        b
    }

    fn bmff_box(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(8 + content.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(content);
        b
    }

    /// An MP4 file with one track of the given handler type.
    fn mp4_with_track(major: &[u8; 4], handler: &[u8; 4]) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend_from_slice(&[0; 12]);
        hdlr.extend_from_slice(b"Handler\0");
        let mdia = bmff_box(
            b"mdia",
            &[bmff_box(b"mdhd", &[0; 24]), bmff_box(b"hdlr", &hdlr)].concat(),
        );
        let trak = bmff_box(b"trak", &[bmff_box(b"tkhd", &[0; 84]), mdia].concat());
        let moov = bmff_box(b"moov", &[bmff_box(b"mvhd", &[0; 100]), trak].concat());
        [
            ftyp(major, &[b"isom", b"mp42"]),
            bmff_box(b"mdat", &[0; 32]),
            moov,
        ]
        .concat()
    }

    fn ogg_page(packet: &[u8]) -> Vec<u8> {
        let mut p = b"OggS\0\x02".to_vec();
        p.extend_from_slice(&[0; 20]); // granule, serial, sequence, checksum
        p.push(1);
        p.push(u8::try_from(packet.len()).unwrap());
        p.extend_from_slice(packet);
        p
    }

    /// A minimal header sample of every accepted kind.
    fn samples() -> Vec<(EvidenceKind, Vec<u8>)> {
        // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames.
        let mut mp3_frames = vec![0xFF, 0xFB, 0x90, 0x64];
        mp3_frames.resize(417, 0);
        mp3_frames.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        // ADTS AAC-LC, 44.1 kHz, stereo, 16-byte frames.
        let adts = [0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC];
        let mut aac_frames = adts.to_vec();
        aac_frames.resize(16, 0);
        aac_frames.extend_from_slice(&adts);
        vec![
            (
                EvidenceKind::Jpeg,
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F'],
            ),
            (
                EvidenceKind::Jpeg,
                vec![0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34, b'E', b'x'],
            ),
            (
                EvidenceKind::Png,
                b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec(),
            ),
            (EvidenceKind::Webp, b"RIFF\x24\0\0\0WEBPVP8 ".to_vec()),
            (EvidenceKind::Gif, b"GIF89a\x01\0\x01\0".to_vec()),
            (EvidenceKind::Gif, b"GIF87a\x01\0\x01\0".to_vec()),
            (EvidenceKind::Heic, ftyp(b"heic", &[b"mif1", b"heic"])),
            (
                EvidenceKind::Heic,
                ftyp(b"mif1", &[b"mif1", b"heic", b"miaf"]),
            ),
            (EvidenceKind::Heic, ftyp(b"heix", &[b"mif1", b"heix"])),
            (EvidenceKind::Heic, ftyp(b"msf1", &[b"msf1", b"hevc"])),
            (
                EvidenceKind::Mp4,
                ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
            ),
            (EvidenceKind::Mp4, ftyp(b"mp42", &[b"mp42", b"isom"])),
            (EvidenceKind::Mp4, mp4_with_track(b"mp42", b"vide")),
            (EvidenceKind::ThreeGp, ftyp(b"3gp4", &[b"isom", b"3gp4"])),
            (EvidenceKind::ThreeGp, ftyp(b"3g2a", &[b"3g2a"])),
            (EvidenceKind::Mov, ftyp(b"qt  ", &[b"qt  "])),
            (EvidenceKind::Mov, bmff_box(b"moov", &[0; 16])),
            (EvidenceKind::Mov, bmff_box(b"wide", &[])),
            (EvidenceKind::Pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec()),
            (EvidenceKind::Mp3, b"ID3\x04\0\0\0\0\0\x0a".to_vec()),
            (EvidenceKind::Mp3, mp3_frames),
            (EvidenceKind::Mp3, vec![0xFF, 0xFB, 0x90, 0x64]),
            (
                EvidenceKind::Ogg,
                ogg_page(b"OpusHead\x01\x02\x38\x01\x80\xbb\0\0\0\0\0"),
            ),
            (
                EvidenceKind::Ogg,
                ogg_page(b"\x01vorbis\0\0\0\0\x02\x44\xac\0\0"),
            ),
            (
                EvidenceKind::M4a,
                ftyp(b"M4A ", &[b"M4A ", b"mp42", b"isom"]),
            ),
            (EvidenceKind::M4a, mp4_with_track(b"mp42", b"soun")),
            (EvidenceKind::Aac, aac_frames),
            (
                EvidenceKind::Aac,
                [&b"ID3\x04\0\0\0\0\0\x00"[..], &adts].concat(),
            ),
            (EvidenceKind::Wav, b"RIFF\x24\0\0\0WAVEfmt ".to_vec()),
        ]
    }

    #[test]
    fn every_accepted_kind_is_recognised_from_a_header_sample() {
        let samples = samples();
        for (kind, bytes) in &samples {
            assert_eq!(sniff(bytes), Ok(*kind), "{kind:?}: {bytes:02x?}");
        }
        for kind in EvidenceKind::ALL {
            assert!(
                samples.iter().any(|(k, _)| *k == kind),
                "no sample for {kind:?}"
            );
        }
    }

    #[test]
    fn refused_content_names_what_is_accepted() {
        let mut exe = b"MZ\x90\0\x03\0\0\0".to_vec();
        exe.resize(64, 0);
        for (bytes, name) in [
            (exe, "EXE/DLL"),
            (b"\x7fELF\x02\x01\x01".to_vec(), "ELF"),
            (b"PK\x03\x04\x14\0\0\0".to_vec(), "ZIP/APK/DOCX"),
            (
                b"<!DOCTYPE html><html><body>foto.jpg</body></html>".to_vec(),
                "HTML",
            ),
            (
                b"\xef\xbb\xbf\n  <HTML><script>alert(1)</script>".to_vec(),
                "HTML",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"/>".to_vec(),
                "SVG",
            ),
            (b"#!/bin/sh\nrm -rf /\n".to_vec(), "skrip/script"),
            (ftyp(b"avif", &[b"avif", b"mif1", b"miaf"]), "AVIF"),
            (ftyp(b"mif1", &[b"mif1", b"avif"]), "AVIF"),
            (ogg_page(b"\x80theora\x03\x02\x01"), "Ogg Theora"),
        ] {
            let err = sniff(&bytes).unwrap_err();
            assert_eq!(err, EvidenceError::Disallowed(name));
            let msg = err.to_string();
            assert!(
                msg.contains("tidak diterima") && msg.contains("not accepted"),
                "{msg}"
            );
            assert!(
                msg.contains("JPEG, PNG, WebP, GIF, HEIC") && msg.contains("PDF"),
                "{msg}"
            );
        }
        for unknown in [
            &b"just some text, saved as bukti.jpg"[..],
            &[0u8; 32],
            &ftyp(b"crx ", &[b"crx "]),
            &ogg_page(b"\x7fUNKNOWN codec"),
        ] {
            let err = sniff(unknown).unwrap_err();
            assert_eq!(err, EvidenceError::Unknown, "{unknown:02x?}");
            assert!(err.to_string().contains("tidak dikenali"));
        }
        assert_eq!(sniff(&[]), Err(EvidenceError::Empty));
        assert_eq!(EvidenceError::Empty.code(), "evidence_empty");
    }

    #[test]
    fn names_types_and_extensions() {
        let mut codes: Vec<&str> = EvidenceKind::ALL.iter().map(|k| k.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), EvidenceKind::ALL.len());
        for k in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::from_code(k.as_str()), Some(k));
            assert_eq!(k.as_str().parse::<EvidenceKind>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<EvidenceKind>(&json).unwrap(), k);
            assert!(k.mime().contains('/'));
            assert!(!k.label().is_empty() && !k.extension().is_empty());
            assert_eq!(k.is_image(), k.mime().starts_with("image/"), "{k:?}");
        }
        assert_eq!(EvidenceKind::Jpeg.extension(), "jpg");
        assert_eq!(EvidenceKind::ThreeGp.as_str(), "3gp");
        assert_eq!(EvidenceKind::Mov.mime(), "video/quicktime");
        assert_eq!(EvidenceKind::M4a.mime(), "audio/mp4");
        assert_eq!(EvidenceKind::Heic.to_string(), "HEIC");
    }

    #[test]
    fn sha256_fingerprints() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    proptest! {
        #[test]
        fn sniff_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = sniff(&bytes);
        }

        #[test]
        fn sniff_never_panics_after_a_known_signature(
            which in 0usize..8,
            rest in proptest::collection::vec(any::<u8>(), 0..96),
        ) {
            let heads: [&[u8]; 8] = [
                b"\0\0\0\x18ftyp", b"\0\0\0\x01ftyp", b"OggS\0\x02", b"ID3\x04\0",
                &[0xFF, 0xFB], &[0xFF, 0xF1], b"\0\0\0\0moov", b"\xef\xbb\xbf ",
            ];
            let bytes = [heads[which], &rest].concat();
            let _ = sniff(&bytes);
        }

        #[test]
        fn display_copy_never_panics(
            which in 0usize..3,
            rest in proptest::collection::vec(any::<u8>(), 0..128),
        ) {
            let (kind, head): (EvidenceKind, &[u8]) = [
                (EvidenceKind::Jpeg, &[0xFF, 0xD8][..]),
                (EvidenceKind::Png, PNG_SIGNATURE),
                (EvidenceKind::Webp, b"RIFF\xff\0\0\0WEBP"),
            ][which];
            let bytes = [head, &rest].concat();
            if let Ok(copy) = display_copy(kind, &bytes) {
                prop_assert!(copy.starts_with(head.get(..4).unwrap_or(head)));
                if kind == EvidenceKind::Jpeg {
                    prop_assert!(copy.ends_with(&JPEG_EOI));
                }
            }
        }

        #[test]
        fn every_truncation_of_a_photo_is_safe(cut in 0usize..1000) {
            let full = jpeg_with_metadata(6);
            let cut = cut.min(full.len());
            if let Ok(copy) = display_copy(EvidenceKind::Jpeg, &full[..cut]) {
                prop_assert!(copy.starts_with(&JPEG_SOI) && copy.ends_with(&JPEG_EOI));
                prop_assert!(!contains(&copy, b"POSKO-GPS-MARKER"));
            }
            let png = png_fixture();
            let _ = display_copy(EvidenceKind::Png, &png[..cut.min(png.len())]);
            let webp = webp_fixture();
            let _ = display_copy(EvidenceKind::Webp, &webp[..cut.min(webp.len())]);
        }
    }
}
