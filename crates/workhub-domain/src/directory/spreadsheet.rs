//! Tables in and out of files: CSV (UTF-8, as WeCom's template) and Excel workbooks (.xlsx),
//! read the same way so that one import path serves both.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use workhub_core::{Code, Error};

/// A file's rows: the header, then each row with its line number (the header is line 1), or
/// why that row could not be read.
pub(super) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Result<Vec<String>, String>)>,
}

/// An .xlsx file is a zip archive; anything else is read as CSV.
fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

pub(super) fn read(bytes: &[u8]) -> Result<Table, Error> {
    if is_xlsx(bytes) {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn unreadable(why: impl ToString) -> Error {
    Error::with(Code::ImportInvalid, why.to_string())
}

fn read_csv(bytes: &[u8]) -> Result<Table, Error> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(unreadable)?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            let cells = record.map(|r| r.iter().map(str::to_string).collect());
            (i + 2, cells.map_err(|e| e.to_string()))
        })
        .collect();
    Ok(Table { header, rows })
}

/// The first worksheet. Numbers come back as people typed them: a mobile number stored as a
/// number reads "13800138000", not "1.38e10".
fn read_xlsx(bytes: &[u8]) -> Result<Table, Error> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("the workbook has no worksheet"))?
        .map_err(unreadable)?;
    // The range starts at the first used cell; lines and columns count from A1.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut lines = range.rows().enumerate().map(|(i, cells)| {
        let mut row = vec![String::new(); first_col as usize];
        row.extend(cells.iter().map(cell_text));
        (first_row as usize + i + 1, row)
    });
    let Some((_, header)) = lines.next() else {
        return Err(unreadable("the worksheet is empty"));
    };
    Ok(Table {
        header,
        rows: lines.map(|(line, row)| (line, Ok(row))).collect(),
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => e.to_string(),
    }
}

/// A workbook of one sheet: a bold header row, then the rows, every cell as text (so ids and
/// mobile numbers keep their digits).
pub(super) fn xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "could not write a workbook");
        Error::new(Code::Internal)
    };
    let mut book = Workbook::new();
    let page = book.add_worksheet();
    page.set_name(sheet).map_err(failed)?;
    let bold = Format::new().set_bold();
    for (col, title) in header.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        page.write_string_with_format(0, col, *title, &bold)
            .map_err(failed)?;
        page.set_column_width(col, 16).map_err(failed)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (col, value) in row.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            page.write_string(line, col, value).map_err(failed)?;
        }
    }
    book.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_xlsx_read_alike() {
        let header = ["姓名", "帐号", "手机号"];
        let rows = vec![
            vec!["张三".to_string(), "zhangsan".into(), "13800138000".into()],
            vec![String::new(), String::new(), String::new()],
            vec!["李四".to_string(), "lisi".into(), String::new()],
        ];
        let book = xlsx("成员", &header, &rows).unwrap();
        let from_xlsx = read(&book).unwrap();
        let csv = "\u{feff}姓名,帐号,手机号\n张三,zhangsan,13800138000\n,,\n李四,lisi,\n";
        let from_csv = read(csv.as_bytes()).unwrap();
        assert_eq!(from_xlsx.header, header);
        assert_eq!(from_csv.header, header);
        let lines = |t: &Table| -> Vec<(usize, Vec<String>)> {
            t.rows
                .iter()
                .map(|(l, r)| {
                    (
                        *l,
                        r.clone()
                            .unwrap()
                            .into_iter()
                            .filter(|c| !c.is_empty())
                            .collect(),
                    )
                })
                .filter(|(_, r): &(usize, Vec<String>)| !r.is_empty())
                .collect()
        };
        assert_eq!(lines(&from_xlsx), lines(&from_csv));
        assert_eq!(
            lines(&from_csv)[1].0,
            4,
            "line numbers count the header and blank rows"
        );
    }

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(cell_text(&Data::Float(13800138000.0)), "13800138000");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
    }

    #[test]
    fn a_broken_workbook_is_a_clear_error() {
        let e = read(b"PK\x03\x04not really a zip").err().unwrap();
        assert_eq!(e.code, Code::ImportInvalid);
    }
}
