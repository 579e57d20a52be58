//! The names bindgen generated, read from `OUT_DIR/bindings.rs` (given: the
//! program and the tests use it to show and check what is in the file).

/// The generated file, as build.rs wrote it at this build.
pub const BINDINGS: &str = include_str!(concat!(env!("OUT_DIR"), "/bindings.rs"));

/// One top-level item of the generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `const`, `fn`, `struct`, `type`, `enum`, `union` or `static`.
    pub kind: &'static str,
    pub name: String,
}

/// The kinds of item bindgen writes, as they start a line.
const KINDS: [&str; 7] = ["const", "fn", "struct", "type", "enum", "union", "static"];

/// Every top-level `pub` item of a file bindgen wrote (prettyplease-formatted:
/// items start their line; functions sit in `extern` blocks; an `impl`
/// block's associated constants belong to their type, so they are skipped).
pub fn items(text: &str) -> Vec<Item> {
    let mut found = Vec::new();
    let mut in_impl = false;
    for line in text.lines() {
        if line.starts_with("impl") {
            in_impl = !line.trim_end().ends_with('}');
            continue;
        }
        if in_impl {
            in_impl = line != "}";
            continue;
        }
        let Some(rest) = line.trim_start().strip_prefix("pub ") else {
            continue;
        };
        for kind in KINDS {
            if let Some(after) = rest.strip_prefix(kind).and_then(|r| r.strip_prefix(' ')) {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(Item { kind, name });
                }
            }
        }
    }
    found
}

/// Whether `name` is declared by one of the workbook's three headers
/// (csrc/ABI_add.h, csrc/evolve.h, csrc/generated.h) rather than by a system
/// header they include.
pub fn from_the_workbook(name: &str) -> bool {
    matches!(name, "add" | "evolve" | "evolve_point")
        || name.starts_with("generated_")
        || name.starts_with("GENERATED_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_items_and_skips_associated_constants() {
        let text = "pub const A: u32 = 1;\nunsafe extern \"C\" {\n    pub fn f(x: i32);\n}\n\
                    impl t {\n    pub const T_X: t = t(0);\n}\n#[repr(C)]\npub struct t(pub u32);\n\
                    impl Default for t {}\npub type u = i32;\n";
        let got: Vec<String> = items(text)
            .iter()
            .map(|item| format!("{} {}", item.kind, item.name))
            .collect();
        assert_eq!(got, ["const A", "fn f", "struct t", "type u"]);
    }
}
