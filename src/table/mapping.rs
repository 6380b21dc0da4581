//! A table mapping: which column of a message-per-row export is the ticket id, the role, the
//! text and so on, and how role values read. Takes `key = value` pairs from a mapping file
//! (`--mapping FILE`) and from command-line flags (which come after, so they override);
//! yields a validated [`TableMapping`]. Every error names the file and line, or the flag.
//!
//! The mapping file is plain text, one `key = value` a line, `#` comments (spec and example:
//! README "Tables" and `samples/jddc.mapping`):
//!
//! ```text
//! ticket = 0            # a column: 0-based index, or a header name when header = true
//! role = 2
//! text = 6
//! agent = agent_id      # optional; so are ts and agent_name
//! roles = 1=agent, 0=customer   # optional; without it role cells use the role aliases
//! default_agent = jd    # owner of sessions whose rows name no agent
//! delimiter = tab       # `tab`, `comma`, or one ASCII character; default by extension
//! quote = false         # "..." quoting (RFC 4180); default on for `,`, off otherwise
//! header = false        # default true
//! columns = 7           # optional: rows with another column count are rejected
//! ts_format = rfc3339   # rfc3339 | unix | unix_ms | a strftime pattern (no zone: +08:00)
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::parse::Role;
use crate::timestamp::TsFormat;

/// A column, by 0-based position or by header name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Name(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableMapping {
    /// `None`: `,` for `.csv` files, tab for everything else.
    pub delimiter: Option<u8>,
    /// `None`: quoting on for `,`-separated files, off otherwise (TSV exports rarely quote,
    /// and a stray `"` in chat text must not swallow the rows after it).
    pub quoting: Option<bool>,
    pub has_header: bool,
    pub columns: Option<usize>,
    pub ticket: Column,
    pub role: Column,
    pub text: Column,
    pub agent: Option<Column>,
    pub agent_name: Option<Column>,
    pub ts: Option<Column>,
    /// `None`: the run's `--ts-format`, else RFC 3339 only.
    pub ts_format: Option<TsFormat>,
    /// Cell value → role. Empty: cells are read with the role aliases of `parse::Role`.
    pub role_values: BTreeMap<String, Role>,
    pub default_agent: Option<String>,
}

/// Where a `key = value` pair came from, for error messages.
#[derive(Debug, Clone)]
pub enum Origin {
    File { path: String, line: usize },
    Flag(&'static str),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{path}:{line}"),
            Origin::Flag(flag) => f.write_str(flag),
        }
    }
}

pub struct Pair {
    pub origin: Origin,
    pub key: String,
    pub value: String,
}

/// The pairs of a mapping file. A BOM is skipped; blank lines and `#` comments are ignored.
pub fn file_pairs(path: &Path) -> Result<Vec<Pair>> {
    let bytes = std::fs::read(path).map_err(Error::read(path))?;
    let shown = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::Mapping {
        origin: shown.clone(),
        problem: format!("not UTF-8 (byte {})", e.valid_up_to()),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let origin = Origin::File { path: shown.clone(), line: i + 1 };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Error::Mapping {
                origin: origin.to_string(),
                problem: format!("`{line}` is not `key = value`"),
            });
        };
        let value = strip_comment(value.trim());
        pairs.push(Pair { origin, key: key.trim().into(), value: value.into() });
    }
    Ok(pairs)
}

/// A value without its trailing ` # comment`; a value that is only `#` is kept
/// (`delimiter = #`).
fn strip_comment(value: &str) -> &str {
    match value.find(" #") {
        Some(at) => value[..at].trim_end(),
        None => value,
    }
}

/// `ticket=0,role=2,text=6` (from `--table-columns`) as pairs.
pub fn list_pairs(flag: &'static str, list: &str) -> Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = item.split_once('=').ok_or_else(|| Error::Mapping {
            origin: flag.into(),
            problem: format!("`{item}` is not `name=column` (e.g. ticket=0,role=2,text=6)"),
        })?;
        let origin = Origin::Flag(flag);
        pairs.push(Pair { origin, key: key.trim().into(), value: value.trim().into() });
    }
    Ok(pairs)
}

impl TableMapping {
    /// Builds a mapping from pairs; a later pair overrides an earlier one with the same key.
    pub fn from_pairs(pairs: &[Pair]) -> Result<TableMapping> {
        let mut last: BTreeMap<&str, &Pair> = BTreeMap::new();
        for pair in pairs {
            if !KEYS.contains(&pair.key.as_str()) {
                return Err(Error::Mapping {
                    origin: pair.origin.to_string(),
                    problem: format!("unknown key `{}` (known: {})", pair.key, KEYS.join(", ")),
                });
            }
            last.insert(&pair.key, pair);
        }
        let fail = |pair: &Pair, problem: String| Error::Mapping {
            origin: pair.origin.to_string(),
            problem: format!("{} = {}: {problem}", pair.key, pair.value),
        };
        let column = |key: &str| -> Option<Column> {
            last.get(key).map(|p| match p.value.parse::<usize>() {
                Ok(i) => Column::Index(i),
                Err(_) => Column::Name(p.value.clone()),
            })
        };
        let required = |key: &'static str| {
            column(key).ok_or_else(|| Error::Mapping {
                origin: "table mapping".into(),
                problem: format!(
                    "no `{key}` column: say which column holds it (`{key} = N` in --mapping, \
                     or --table-columns {key}=N)"
                ),
            })
        };
        let flag = |key: &str| -> Result<Option<bool>> {
            last.get(key)
                .map(|p| match p.value.to_lowercase().as_str() {
                    "true" | "yes" | "1" => Ok(true),
                    "false" | "no" | "0" => Ok(false),
                    _ => Err(fail(p, "expected true or false".into())),
                })
                .transpose()
        };
        let delimiter =
            last.get("delimiter").map(|p| parse_delimiter(&p.value).map_err(|e| fail(p, e)));
        let columns = last.get("columns").map(|p| {
            p.value
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| fail(p, "expected a column count".into()))
        });
        let ts_format = match last.get("ts_format") {
            None => None,
            Some(p) => Some(TsFormat::from_key(&p.value).map_err(|e| fail(p, e))?),
        };
        let role_values = match last.get("roles") {
            None => BTreeMap::new(),
            Some(p) => parse_role_values(&p.value).map_err(|e| fail(p, e))?,
        };
        let default_agent =
            last.get("default_agent").map(|p| p.value.clone()).filter(|v| !v.trim().is_empty());
        let mapping = TableMapping {
            delimiter: delimiter.transpose()?,
            quoting: flag("quote")?,
            has_header: flag("header")?.unwrap_or(true),
            columns: columns.transpose()?,
            ticket: required("ticket")?,
            role: required("role")?,
            text: required("text")?,
            agent: column("agent"),
            agent_name: column("agent_name"),
            ts: column("ts"),
            ts_format,
            role_values,
            default_agent,
        };
        if !mapping.has_header {
            let named = [
                ("ticket", Some(&mapping.ticket)),
                ("role", Some(&mapping.role)),
                ("text", Some(&mapping.text)),
                ("agent", mapping.agent.as_ref()),
                ("agent_name", mapping.agent_name.as_ref()),
                ("ts", mapping.ts.as_ref()),
            ];
            if let Some((key, Some(Column::Name(name)))) =
                named.iter().find(|(_, c)| matches!(c, Some(Column::Name(_))))
            {
                return Err(Error::Mapping {
                    origin: last[key].origin.to_string(),
                    problem: format!(
                        "{key} = {name}: a column name needs a header row; without one give \
                         its 0-based index"
                    ),
                });
            }
        }
        Ok(mapping)
    }
}

const KEYS: [&str; 13] = [
    "ticket",
    "role",
    "text",
    "agent",
    "agent_name",
    "ts",
    "ts_format",
    "roles",
    "default_agent",
    "delimiter",
    "quote",
    "header",
    "columns",
];

fn parse_delimiter(value: &str) -> Result<u8, String> {
    match value.to_lowercase().as_str() {
        "tab" | "\\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        v if v.len() == 1 && v.is_ascii() && v != "\"" && v != "\n" && v != "\r" => {
            Ok(v.as_bytes()[0])
        }
        _ => Err("expected tab, comma, semicolon, pipe or one ASCII character".into()),
    }
}

/// `1=agent, 0=customer`: cell value → role (role names and aliases as in JSON Lines).
fn parse_role_values(list: &str) -> Result<BTreeMap<String, Role>, String> {
    let mut map = BTreeMap::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (value, role) =
            item.split_once('=').ok_or_else(|| format!("`{item}` is not `value=role`"))?;
        let role = Role::parse(role).ok_or_else(|| {
            format!("`{}` is not a role (customer, agent, bot, system)", role.trim())
        })?;
        map.insert(value.trim().to_string(), role);
    }
    if map.is_empty() {
        return Err("no `value=role` pairs".into());
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &str) -> Vec<Pair> {
        list_pairs("--table-columns", list).unwrap()
    }

    #[test]
    fn mappings_build_or_say_why_not() {
        struct Case {
            name: &'static str,
            pairs: &'static str,
            error: Option<&'static str>,
        }
        let cases = [
            Case { name: "minimal", pairs: "ticket=0,role=1,text=2", error: None },
            Case { name: "names", pairs: "ticket=sid,role=who,text=msg", error: None },
            Case {
                name: "jddc",
                pairs: "ticket=0,role=2,text=6,header=false,delimiter=tab,columns=7",
                error: None,
            },
            Case { name: "no text", pairs: "ticket=0,role=1", error: Some("no `text` column") },
            Case {
                name: "names need a header",
                pairs: "ticket=sid,role=1,text=2,header=false",
                error: Some("needs a header row"),
            },
            Case {
                name: "unknown key",
                pairs: "ticket=0,role=1,text=2,speaker=3",
                error: Some("unknown key `speaker`"),
            },
            Case {
                name: "bad delimiter",
                pairs: "ticket=0,role=1,text=2,delimiter=ab",
                error: Some("delimiter = ab"),
            },
            Case {
                name: "bad header flag",
                pairs: "ticket=0,role=1,text=2,header=maybe",
                error: Some("true or false"),
            },
        ];
        for case in cases {
            let result = TableMapping::from_pairs(&pairs(case.pairs));
            match (result, case.error) {
                (Ok(_), None) => {}
                (Err(e), Some(want)) => {
                    assert!(e.to_string().contains(want), "{}: {e}", case.name)
                }
                (Ok(m), Some(want)) => panic!("{}: built {m:?}, wanted `{want}`", case.name),
                (Err(e), None) => panic!("{}: {e}", case.name),
            }
        }
    }

    #[test]
    fn role_values_and_overrides() {
        let mut all = pairs("ticket=0,role=2,text=6,header=false");
        all.extend(pairs("text=5"));
        all.push(Pair {
            origin: Origin::Flag("--role-map"),
            key: "roles".into(),
            value: "1=agent, 0=客户".into(),
        });
        let m = TableMapping::from_pairs(&all).unwrap();
        assert_eq!(m.text, Column::Index(5));
        assert_eq!(m.role_values["1"], Role::Agent);
        assert_eq!(m.role_values["0"], Role::Customer);
        assert!(!m.has_header);
        assert_eq!(
            parse_role_values("1=martian").unwrap_err(),
            "`martian` is not a role (customer, agent, bot, system)"
        );
    }

    #[test]
    fn comments_and_delimiters() {
        assert_eq!(strip_comment("0  # the session"), "0");
        assert_eq!(strip_comment("#"), "#");
        assert_eq!(strip_comment("1=agent, 0=customer"), "1=agent, 0=customer");
        for (text, want) in
            [("tab", Some(b'\t')), (",", Some(b',')), ("|", Some(b'|')), ("\"", None)]
        {
            assert_eq!(parse_delimiter(text).ok(), want, "{text}");
        }
    }
}
