//! Workbooks that come back, read safely: the size, the number of parts and what they unpack
//! to are limited before `calamine` reads a cell, so a zip bomb costs at most
//! [`WORKBOOK_UNPACKED_MAX`] bytes of work. Formulas are never evaluated: [`Sheet`] says
//! where a cell holds one, and the caller refuses it.

use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx};

use crate::api::limits::{WORKBOOK_BYTES_MAX, WORKBOOK_PARTS_MAX, WORKBOOK_UNPACKED_MAX};
use crate::error::ApiError;

/// A sheet's values and formulas, by 0-based row and column.
pub struct Sheet {
    pub name: String,
    values: Range<Data>,
    formulas: Range<String>,
}

impl Sheet {
    /// The value at `row`, `col`; `Data::Empty` outside the used range.
    pub fn value(&self, row: u32, col: u32) -> &Data {
        self.values.get_value((row, col)).unwrap_or(&Data::Empty)
    }

    /// Whether the cell holds a formula.
    pub fn has_formula(&self, row: u32, col: u32) -> bool {
        self.formulas
            .get_value((row, col))
            .is_some_and(|f| !f.is_empty())
    }

    /// The number of rows up to the last one used (0 for an empty sheet).
    pub fn rows(&self) -> u32 {
        self.values.end().map_or(0, |(row, _)| row + 1)
    }
}

/// An opened workbook.
pub struct Workbook {
    inner: Xlsx<Cursor<Vec<u8>>>,
}

impl Workbook {
    /// Checks the limits and opens `bytes` as an XLSX workbook; 413 when too large, 422 when
    /// it is not a workbook.
    pub fn open(bytes: Vec<u8>) -> Result<Self, ApiError> {
        if bytes.len() > WORKBOOK_BYTES_MAX {
            return Err(ApiError::PayloadTooLarge(format!(
                "A workbook may be at most {WORKBOOK_BYTES_MAX} bytes."
            )));
        }
        unpacked_size(&bytes)?;
        let inner = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
        Ok(Self { inner })
    }

    /// The sheet `name`, or `None` when the workbook has none of that name.
    pub fn sheet(&mut self, name: &str) -> Result<Option<Sheet>, ApiError> {
        if !self.inner.sheet_names().iter().any(|n| n == name) {
            return Ok(None);
        }
        let values = self
            .inner
            .worksheet_range(name)
            .map_err(|e| not_a_workbook(&e))?;
        let formulas = self
            .inner
            .worksheet_formula(name)
            .map_err(|e| not_a_workbook(&e))?;
        Ok(Some(Sheet {
            name: name.to_string(),
            values,
            formulas,
        }))
    }
}

/// Unpacks every part to count its bytes (declared sizes can lie); refuses a workbook of too
/// many parts or one that unpacks to more than the limit.
fn unpacked_size(bytes: &[u8]) -> Result<u64, ApiError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
    if archive.len() > WORKBOOK_PARTS_MAX {
        return Err(too_much(format!(
            "The workbook has {} parts; at most {WORKBOOK_PARTS_MAX} are read.",
            archive.len()
        )));
    }
    let mut total = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(|e| not_a_workbook(&e))?;
        loop {
            let read = part.read(&mut buffer).map_err(|e| not_a_workbook(&e))?;
            if read == 0 {
                break;
            }
            total += read as u64;
            if total > WORKBOOK_UNPACKED_MAX {
                return Err(too_much(format!(
                    "The workbook unpacks to more than {WORKBOOK_UNPACKED_MAX} bytes."
                )));
            }
        }
    }
    Ok(total)
}

fn too_much(message: String) -> ApiError {
    ApiError::PayloadTooLarge(message)
}

fn not_a_workbook(error: &dyn std::fmt::Display) -> ApiError {
    ApiError::invalid("body", format!("is not an Excel workbook (.xlsx): {error}"))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_read() {
        // 65 MiB of zeros packs into well under a MiB
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", vec![0u8; 65 * 1024 * 1024])]);
        assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
        let refused = Workbook::open(bomb).err().expect("refused");
        assert!(
            matches!(refused, ApiError::PayloadTooLarge(_)),
            "{refused:?}"
        );
    }

    #[test]
    fn too_many_parts_and_too_many_bytes_are_refused() {
        let parts: Vec<(String, Vec<u8>)> = (0..=WORKBOOK_PARTS_MAX)
            .map(|i| (format!("p{i}"), vec![]))
            .collect();
        let parts: Vec<(&str, Vec<u8>)> =
            parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
        assert!(matches!(
            Workbook::open(zip_of(&parts)),
            Err(ApiError::PayloadTooLarge(_))
        ));
        assert!(matches!(
            Workbook::open(vec![0; WORKBOOK_BYTES_MAX + 1]),
            Err(ApiError::PayloadTooLarge(_))
        ));
    }

    #[test]
    fn what_is_not_a_workbook_is_a_422() {
        assert!(matches!(
            Workbook::open(b"title,status\n".to_vec()),
            Err(ApiError::Validation { .. })
        ));
        let empty_zip = zip_of(&[("hello.txt", b"hi".to_vec())]);
        assert!(matches!(
            Workbook::open(empty_zip),
            Err(ApiError::Validation { .. })
        ));
    }
}
