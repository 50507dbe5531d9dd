//! Uploading a file: its type must be allowed and its content must say the same; the object
//! is written before its row, and removed again when the row cannot be written.

use bytes::Bytes;
use object_store::ObjectStoreExt;
use object_store::path::Path;

use super::model::Attachment;
use super::policy;
use super::{ALLOWED_TYPES, Files, MAX_BYTES};
use crate::audit::Action;
use crate::db::Tx;
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::AttachmentId;
use crate::principal::Principal;
use crate::text::clean;

/// Hold a file to its declared type: its first bytes (sniffed by the `infer` crate) must say
/// the same, and a text file must be UTF-8 text with no control character other than tab,
/// line and page breaks. A browser or a reader that trusts the content rather than the label
/// would otherwise open an executable stored as a PDF. Refused with `CONTENT_TYPE_MISMATCH`.
fn content_matches(declared: &str, content: &[u8]) -> Result<()> {
    let sniffed = infer::get(content).map(|t| t.mime_type());
    let text = declared.starts_with("text/");
    let matches = if text {
        sniffed.is_none()
            && std::str::from_utf8(content).is_ok_and(|t| {
                !t.chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
            })
    } else {
        sniffed == Some(declared)
    };
    if matches {
        return Ok(());
    }
    let found = match sniffed {
        Some(mime) => format!("its content is {mime}"),
        None if text => "its content is not UTF-8 text".to_owned(),
        None => "its content is of no accepted type".to_owned(),
    };
    Err(DomainError::rule(
        RuleCode::ContentTypeMismatch,
        format!("the file is declared as {declared} but {found}"),
    ))
}

/// Store a file for the provider's structure. The file is stored before its row is written in
/// `tx`: when the transaction does not commit after all, call [`forget`] so that no object is
/// left without its row.
pub async fn upload(
    tx: &Tx,
    files: &Files,
    principal: &Principal,
    filename: &str,
    content_type: &str,
    content: Bytes,
) -> Result<Attachment> {
    policy::require_uploader(principal)?;
    let structure = principal.structure().ok_or(DomainError::Forbidden(
        "a provider token carries a structure",
    ))?;
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !ALLOWED_TYPES.contains(&media.as_str()) {
        return Err(DomainError::rule(
            RuleCode::UnsupportedMediaType,
            format!("accepted types: {}", ALLOWED_TYPES.join(", ")),
        ));
    }
    if content.len() > MAX_BYTES {
        return Err(DomainError::rule(
            RuleCode::PayloadTooLarge,
            format!("a file is at most {MAX_BYTES} bytes"),
        ));
    }
    if content.is_empty() {
        return Err(DomainError::validation("file", "is empty"));
    }
    content_matches(&media, &content)?;
    let filename = clean("filename", filename, 200)?;
    if filename.contains('/') || filename.contains('\\') {
        return Err(DomainError::validation(
            "filename",
            "must not contain a path",
        ));
    }
    let tenant = principal.tenant_id()?;
    let id = AttachmentId::generate();
    let key = format!("{}/{}", tenant.0, id.0);
    let size = content.len() as i64;
    files
        .0
        .as_ref()
        .put(&Path::from(key.as_str()), content.into())
        .await
        .map_err(|e| DomainError::Unavailable(format!("object store: {e}")))?;
    let attachment = Attachment {
        id,
        structure_id: structure,
        submission_id: None,
        filename,
        content_type: media,
        size_bytes: size,
    };
    let written = async {
        let tx = tx.change(principal).await?;
        super::store::insert(&tx, &attachment, &key).await?;
        tx.commit(Action {
            name: "attachment.upload",
            object_type: "Attachment",
            object_id: id.0,
        })
        .await
    }
    .await;
    if let Err(err) = written {
        // No row, no file: the object would be unreachable anyway.
        let _ = files.0.as_ref().delete(&Path::from(key.as_str())).await;
        return Err(err);
    }
    Ok(attachment)
}
