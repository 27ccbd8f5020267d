//! Module layering inside one crate: each top-level module (`src/<name>.rs` or
//! `src/<name>/`) may use only the modules listed below its own line in the `## Layers`
//! block of `lib.rs` (see [`super::layers`]), and itself.
//!
//! Uses are found from paths ([`super::scan`]): `use crate::…`, inline `crate::x::…`,
//! `super::…` chains that climb to the root, and `crate::Item` where `lib.rs` re-exports
//! `Item` from a module. The crate root itself, binaries (`src/main.rs`, `src/bin/`) and test
//! code (`tests.rs` files, `tests/` folders, `#[cfg(test)]` items and the files of
//! `#[cfg(test)] mod x;`) are exempt. Every module must be listed, so a new one gets placed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::layers::{self, Layers, HEADING};
use super::scan::{self, Scanned};

/// Where a name at the crate root comes from.
enum Origin {
    /// A top-level module, or an item `lib.rs` re-exports from one.
    Module(String),
    /// An item `lib.rs` re-exports from another crate.
    External,
    /// An item defined in `lib.rs` itself.
    Root,
}

/// Checks the module layering of the crate in `root/crate_dir`; one line per problem.
pub fn check(root: &Path, crate_dir: &str) -> Vec<String> {
    let src = root.join(crate_dir).join("src");
    let lib_shown = format!("{crate_dir}/src/lib.rs");
    let lib_text = match std::fs::read_to_string(src.join("lib.rs")) {
        Ok(text) => text,
        Err(error) => return vec![format!("{lib_shown}: {error}")],
    };
    let (layers, layer_problems) = layers::parse(&lib_text);
    let mut problems: BTreeSet<(String, usize, String)> = layer_problems
        .into_iter()
        .map(|(line, message)| (lib_shown.clone(), line, message))
        .collect();
    if layers.rank.is_empty() {
        return render(problems);
    }

    let modules = top_level_modules(&src);
    for (name, (_, line)) in &layers.rank {
        if !modules.contains_key(name) {
            problems.insert((
                lib_shown.clone(),
                *line,
                format!("`{name}` is listed in `{HEADING}` but is not a module of the crate"),
            ));
        }
    }
    for (name, path) in &modules {
        if layers.layer(name).is_none() {
            let file = Some(path.join("mod.rs")).filter(|file| file.is_file());
            problems.insert((
                shown(root, file.as_ref().unwrap_or(path)),
                1,
                format!("module `{name}` is not in lib.rs `{HEADING}`; place it on a layer line"),
            ));
        }
    }

    let mut origins = match syn::parse_file(&lib_text) {
        Ok(file) => root_names(&file, &modules),
        Err(error) => {
            let line = error.span().start().line;
            problems.insert((lib_shown, line, format!("cannot parse: {error}")));
            return render(problems);
        }
    };
    let mut files = Vec::new();
    collect_module_files(&src, &src, &mut files);
    let mut scanned = Vec::new();
    for (path, module_path) in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                problems.insert((shown(root, &path), 0, error.to_string()));
                continue;
            }
        };
        match scan::scan(&text, &module_path) {
            Ok(found) => scanned.push((path, module_path, found)),
            Err(error) => {
                let line = error.span().start().line;
                problems.insert((shown(root, &path), line, format!("cannot parse: {error}")));
            }
        }
    }
    for (_, module_path, found) in &scanned {
        for name in &found.exported_macros {
            origins
                .entry(name.clone())
                .or_insert_with(|| Origin::Module(module_path[0].clone()));
        }
    }
    let test_modules: Vec<&Vec<String>> = scanned
        .iter()
        .flat_map(|(_, _, found)| &found.test_modules)
        .collect();
    for (path, module_path, found) in &scanned {
        if test_modules
            .iter()
            .any(|test| module_path.starts_with(test))
        {
            continue;
        }
        check_file(module_path, found, &layers, &origins)
            .into_iter()
            .for_each(|(line, message)| {
                problems.insert((shown(root, path), line, message));
            });
    }
    render(problems)
}

/// The problems of one file, as `(line, message)`.
fn check_file(
    module_path: &[String],
    found: &Scanned,
    layers: &Layers,
    origins: &BTreeMap<String, Origin>,
) -> Vec<(usize, String)> {
    let user = &module_path[0];
    let Some(user_layer) = layers.layer(user) else {
        return Vec::new(); // reported once as a module missing from the list
    };
    let mut problems = Vec::new();
    for reference in &found.references {
        let name = &reference.name;
        let target = match origins.get(name) {
            _ if name == "*" => {
                problems.push((
                    reference.line,
                    "glob import of the crate root; name what is used".to_string(),
                ));
                continue;
            }
            Some(Origin::Module(target)) => target,
            Some(Origin::External) => continue,
            Some(Origin::Root) => {
                problems.push((
                    reference.line,
                    format!("`{user}` uses `crate::{name}`, defined in lib.rs outside every layer"),
                ));
                continue;
            }
            None => {
                problems.push((
                    reference.line,
                    format!(
                        "unresolved crate path `crate::{name}` (not a module of the crate, \
                         nor re-exported by lib.rs)"
                    ),
                ));
                continue;
            }
        };
        let Some(target_layer) = layers.layer(target) else {
            continue; // reported once as a module missing from the list
        };
        if target == user || target_layer > user_layer {
            continue;
        }
        let through = if name == target {
            String::new()
        } else {
            format!(" (through `crate::{name}`)")
        };
        let rule = if target_layer == user_layer {
            "which shares its layer line"
        } else {
            "a higher layer"
        };
        problems.push((
            reference.line,
            format!("`{user}` uses `{target}`{through}, {rule} (lib.rs {HEADING})"),
        ));
    }
    problems
}

/// The crate's top-level modules: name → file or folder.
fn top_level_modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let name = if path.is_dir() {
            if matches!(name, "bin" | "tests") {
                continue;
            }
            name.to_string()
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if matches!(stem, "lib" | "main" | "tests") {
                continue;
            }
            stem.to_string()
        } else {
            continue;
        };
        modules.entry(name).or_insert(path);
    }
    modules
}

/// What each name at the crate root is: the top-level modules, and what `lib.rs` defines or
/// brings in with `use` (re-exports: `pub use session::{Database, Session};`).
fn root_names(lib: &syn::File, modules: &BTreeMap<String, PathBuf>) -> BTreeMap<String, Origin> {
    let mut origins: BTreeMap<String, Origin> = modules
        .keys()
        .map(|name| (name.clone(), Origin::Module(name.clone())))
        .collect();
    for item in &lib.items {
        let name = match item {
            syn::Item::Use(item) => {
                let mut paths = Vec::new();
                use_paths(&mut Vec::new(), &item.tree, &mut paths);
                for (mut path, name) in paths {
                    if matches!(path.first().map(String::as_str), Some("crate" | "self")) {
                        path.remove(0);
                    }
                    let origin = match path.first() {
                        Some(first) if modules.contains_key(first) => Origin::Module(first.clone()),
                        _ => Origin::External,
                    };
                    origins.entry(name).or_insert(origin);
                }
                continue;
            }
            syn::Item::Const(item) => &item.ident,
            syn::Item::Enum(item) => &item.ident,
            syn::Item::Fn(item) => &item.sig.ident,
            syn::Item::Mod(item) => &item.ident,
            syn::Item::Static(item) => &item.ident,
            syn::Item::Struct(item) => &item.ident,
            syn::Item::Trait(item) => &item.ident,
            syn::Item::Type(item) => &item.ident,
            syn::Item::Union(item) => &item.ident,
            syn::Item::Macro(item) => match &item.ident {
                Some(ident) => ident,
                None => continue,
            },
            _ => continue,
        };
        origins.entry(name.to_string()).or_insert(Origin::Root);
    }
    origins
}

/// The paths of a `use` tree, each with the name it binds (`*` for a glob).
fn use_paths(prefix: &mut Vec<String>, tree: &syn::UseTree, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            use_paths(prefix, &path.tree, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => out.push((prefix.clone(), name.ident.to_string())),
        syn::UseTree::Rename(rename) => out.push((prefix.clone(), rename.rename.to_string())),
        syn::UseTree::Glob(_) => out.push((prefix.clone(), "*".to_string())),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                use_paths(prefix, tree, out);
            }
        }
    }
}

/// The `.rs` files of `dir` (below `src`) with their module paths, leaving out the crate
/// root, binaries and test files.
fn collect_module_files(src: &Path, dir: &Path, files: &mut Vec<(PathBuf, Vec<String>)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if path.is_dir() {
            let top = dir == src;
            if name != "tests" && !(top && name == "bin") {
                collect_module_files(src, &path, files);
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        if stem == "tests" || (dir == src && matches!(stem, "lib" | "main")) {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap_or(&path);
        let mut module_path: Vec<String> = relative
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        if stem != "mod" {
            module_path.push(stem.to_string());
        }
        if !module_path.is_empty() {
            files.push((path, module_path));
        }
    }
}

/// A path as shown in a problem: relative to the workspace root, with `/` separators.
fn shown(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Problems as `file:line: message` lines, sorted by file and line.
fn render(problems: BTreeSet<(String, usize, String)>) -> Vec<String> {
    problems
        .into_iter()
        .map(|(file, line, message)| format!("{file}:{line}: {message}"))
        .collect()
}

#[cfg(test)]
#[path = "modules_tests.rs"]
mod tests;
