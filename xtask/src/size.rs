//! `cargo xtask size`: what weighs in a wasm build. Reads the module's code section and its
//! `name` section (a build made with `NN_PLAYGROUND_KEEP_NAMES=1`), sums the function bodies
//! by the crate and module their names point at, and prints the groups, the largest
//! functions, the data section and the gzip size (`gzip -9`, when `gzip` is on PATH).

use crate::util::{capture, cmd, repo_root, Result};
use std::collections::BTreeMap;

/// A wasm module's section payloads we look at: function body sizes (in index order after
/// the imported functions), the function names, and the data and other sections' sizes.
struct Module {
    imported_functions: u32,
    bodies: Vec<usize>,
    names: BTreeMap<u32, String>,
    sections: Vec<(String, usize)>,
}

/// `cargo xtask size [file.wasm] [--top N]`: default `pkg/nn_playground_bg.wasm`.
pub fn run_size(path: Option<String>, top: usize) -> Result<()> {
    let path = path.unwrap_or_else(|| "pkg/nn_playground_bg.wasm".into());
    let full = repo_root().join(&path);
    let bytes = std::fs::read(&full).map_err(|e| format!("cannot read {path}: {e}"))?;
    let module =
        parse(&bytes).map_err(|e| format!("{path} is not a wasm module I can read: {e}"))?;
    if module.names.is_empty() {
        return Err(format!(
            "{path} has no function names; build with `NN_PLAYGROUND_KEEP_NAMES=1 cargo xtask build` \
             (the names are dropped from the shipped builds)"
        ));
    }
    let code: usize = module.bodies.iter().sum();
    let gz = gzip_size(&full).map_or_else(String::new, |g| format!(", {g} bytes gzip -9"));
    println!(
        "{path}: {} bytes{gz} (names included; the shipped build drops them)",
        bytes.len()
    );
    for (name, size) in &module.sections {
        println!("  section {name:<18} {size:>9} bytes");
    }
    let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut functions: Vec<(usize, &str)> = Vec::new();
    for (i, &size) in module.bodies.iter().enumerate() {
        let index = module.imported_functions + i as u32;
        let name = module.names.get(&index).map_or("?", String::as_str);
        let g = groups.entry(group_of(name)).or_default();
        g.0 += size;
        g.1 += 1;
        functions.push((size, name));
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.1 .0));
    println!(
        "\ncode by crate / module ({code} bytes in {} functions):",
        module.bodies.len()
    );
    println!("| group | bytes | share | functions |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, (size, count)) in groups.iter().take(top) {
        let share = 100.0 * *size as f64 / code.max(1) as f64;
        println!("| {name} | {size} | {share:.1} % | {count} |");
    }
    functions.sort_by_key(|f| std::cmp::Reverse(f.0));
    println!("\nlargest functions:");
    for (size, name) in functions.iter().take(top) {
        println!("{size:>8}  {}", short(name));
    }
    Ok(())
}

fn gzip_size(path: &std::path::Path) -> Option<usize> {
    let p = path.to_string_lossy().into_owned();
    let out = capture(&mut cmd("sh", &["-c", &format!("gzip -9c '{p}' | wc -c")]))?;
    out.trim().parse().ok()
}

/// The group a (legacy-mangled, demangled) Rust function name belongs to: serde's derived
/// deserialisers and serialisers by name, our crate by its top module, others by crate.
fn group_of(name: &str) -> String {
    let name = strip_hashes(name);
    for krate in ["serde_json", "serde_wasm_bindgen", "serde_path_to_error"] {
        if name.contains(krate) {
            return krate.into();
        }
    }
    // `de` and `ser` as whole path segments: `miniz_oxide::` and `parser::` end in them.
    let segment =
        |s: &str| name.contains(&format!("::{s}::")) || name.starts_with(&format!("{s}::"));
    if name.contains("Deserializ") || name.contains("Visitor") || segment("de") {
        return "serde derives: deserialise".into();
    }
    if name.contains("Serializ") || segment("ser") {
        return "serde derives: serialise".into();
    }
    let trimmed = name
        .trim_start_matches(['<', '&'])
        .trim_start_matches("mut ");
    let mut parts = trimmed.split("::");
    let krate: String = parts
        .next()
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match krate.as_str() {
        "" => "(unnamed)".into(),
        "nn_playground" => {
            let module: String = parts
                .next()
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            format!("nn_playground::{module}")
        }
        "core" | "alloc" | "std" if name.contains("fmt") => format!("{krate}::fmt"),
        _ => krate,
    }
}

/// `core[c5930c85a12de822]::x::h0123…` → `core::x`.
fn strip_hashes(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.find(']') {
            Some(close) if after[1..close].chars().all(|c| c.is_ascii_hexdigit()) => {
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    match out.rfind("::h") {
        Some(i) if out[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => out[..i].to_string(),
        _ => out,
    }
}

fn short(name: &str) -> String {
    let name = strip_hashes(name);
    if name.chars().count() > 150 {
        format!("{}…", name.chars().take(150).collect::<String>())
    } else {
        name
    }
}

fn leb(bytes: &[u8], at: &mut usize) -> std::result::Result<u64, String> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*at).ok_or("truncated number")?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err("number too long".into());
        }
    }
}

fn name_at(bytes: &[u8], at: &mut usize) -> std::result::Result<String, String> {
    let len = leb(bytes, at)? as usize;
    let end = at
        .checked_add(len)
        .filter(|&e| e <= bytes.len())
        .ok_or("truncated name")?;
    let s = String::from_utf8_lossy(&bytes[*at..end]).into_owned();
    *at = end;
    Ok(s)
}

fn parse(bytes: &[u8]) -> std::result::Result<Module, String> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err("no wasm header".into());
    }
    let mut m = Module {
        imported_functions: 0,
        bodies: Vec::new(),
        names: BTreeMap::new(),
        sections: Vec::new(),
    };
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        at += 1;
        let size = leb(bytes, &mut at)? as usize;
        let end = at
            .checked_add(size)
            .filter(|&e| e <= bytes.len())
            .ok_or("truncated section")?;
        let payload = &bytes[at..end];
        let mut p = 0;
        match id {
            0 => {
                let name = name_at(payload, &mut p)?;
                if name == "name" {
                    read_function_names(&payload[p..], &mut m.names)?;
                }
                m.sections.push((format!("custom \"{name}\""), size));
            }
            2 => {
                m.imported_functions = count_imported_functions(payload)?;
                m.sections.push(("import".into(), size));
            }
            10 => {
                let count = leb(payload, &mut p)?;
                for _ in 0..count {
                    let start = p;
                    let len = leb(payload, &mut p)? as usize;
                    p += len;
                    m.bodies.push(p - start);
                }
                m.sections.push(("code".into(), size));
            }
            11 => m.sections.push(("data".into(), size)),
            _ => {
                let name = match id {
                    1 => "type",
                    3 => "function",
                    4 => "table",
                    5 => "memory",
                    6 => "global",
                    7 => "export",
                    8 => "start",
                    9 => "element",
                    12 => "data count",
                    _ => "other",
                };
                m.sections.push((name.into(), size));
            }
        }
        at = end;
    }
    Ok(m)
}

fn count_imported_functions(payload: &[u8]) -> std::result::Result<u32, String> {
    let mut p = 0;
    let count = leb(payload, &mut p)?;
    let mut functions = 0;
    for _ in 0..count {
        name_at(payload, &mut p)?;
        name_at(payload, &mut p)?;
        let kind = *payload.get(p).ok_or("truncated import")?;
        p += 1;
        match kind {
            0 => {
                functions += 1;
                leb(payload, &mut p)?;
            }
            1 => {
                // table: element type, then limits
                p += 1;
                skip_limits(payload, &mut p)?;
            }
            2 => skip_limits(payload, &mut p)?,
            3 => p += 2, // global: value type, mutability
            4 => {
                p += 1; // tag: attribute, then type index
                leb(payload, &mut p)?;
            }
            other => return Err(format!("import kind {other}")),
        }
    }
    Ok(functions)
}

fn skip_limits(payload: &[u8], p: &mut usize) -> std::result::Result<(), String> {
    let flags = *payload.get(*p).ok_or("truncated limits")?;
    *p += 1;
    leb(payload, p)?;
    if flags & 1 != 0 {
        leb(payload, p)?;
    }
    Ok(())
}

fn read_function_names(
    mut payload: &[u8],
    names: &mut BTreeMap<u32, String>,
) -> std::result::Result<(), String> {
    while !payload.is_empty() {
        let mut p = 0;
        let kind = payload[0];
        p += 1;
        let len = leb(payload, &mut p)? as usize;
        let end = p
            .checked_add(len)
            .filter(|&e| e <= payload.len())
            .ok_or("truncated names")?;
        if kind == 1 {
            let sub = &payload[p..end];
            let mut q = 0;
            let count = leb(sub, &mut q)?;
            for _ in 0..count {
                let index = leb(sub, &mut q)? as u32;
                names.insert(index, name_at(sub, &mut q)?);
            }
        }
        payload = &payload[end..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_group_by_crate_and_module() {
        assert_eq!(
            group_of("nn_playground::kernels::blocked::small::h490f36b21d563e9b"),
            "nn_playground::kernels"
        );
        assert_eq!(
            group_of("core[c5930c85a12de822]::num::flt2dec::strategy::dragon::format_shortest"),
            "core"
        );
        assert_eq!(
            group_of("<core::fmt::Arguments as core::fmt::Display>::fmt::h01"),
            "core::fmt"
        );
        assert_eq!(
            group_of("nn_playground::spec::_::<impl serde_core::de::Deserialize for nn_playground::spec::Schedule>::deserialize::ha2"),
            "serde derives: deserialise"
        );
        assert_eq!(group_of("serde_json::de::from_trait::he3"), "serde_json");
        assert_eq!(
            group_of("miniz_oxide::inflate::core::decompress::h1f"),
            "miniz_oxide"
        );
        assert_eq!(
            group_of("csv_core::reader::Reader::parser::h2a"),
            "csv_core"
        );
        assert_eq!(strip_hashes("a[0f]::b::h12ab"), "a::b");
    }

    #[test]
    fn a_small_module_reads_back() {
        // header, type section (one `() -> ()`), import of one function, function and code
        // sections with one 4-byte body, and a name section naming both functions.
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 1, 0x60, 0, 0]);
        wasm.extend([2, 7, 1, 1, b'm', 1, b'f', 0, 0]);
        wasm.extend([3, 2, 1, 0]);
        wasm.extend([10, 6, 1, 4, 0, 0x01, 0x01, 0x0b]);
        let names = [1u8, 10, 2, 0, 1, b'i', 1, 4, b'b', b'o', b'd', b'y'];
        let mut custom = vec![4, b'n', b'a', b'm', b'e'];
        custom.extend(names);
        wasm.push(0);
        wasm.push(custom.len() as u8);
        wasm.extend(custom);
        let m = parse(&wasm).unwrap();
        assert_eq!(m.imported_functions, 1);
        assert_eq!(m.bodies, vec![5]);
        assert_eq!(m.names.get(&1).map(String::as_str), Some("body"));
        assert!(parse(b"\0asm").is_err());
    }
}
