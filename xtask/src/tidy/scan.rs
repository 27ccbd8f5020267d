//! Finds where one source file names the crate root: `use crate::…` trees, inline
//! `crate::x::…` paths, `super::…` chains that climb out of the top-level module, and the
//! same inside macro invocations, leaving test code, visibilities, comments and strings out.
//!
//! The file is read with `syn` rather than scanned as text: the lexer already knows comments
//! (doc comments become `#[doc = "…"]` attributes, skipped here), string, char and raw
//! string literals and lifetimes, and `use` trees, `#[cfg(test)]` items and inline modules
//! come out as syntax instead of as brace and bracket counting.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// One name the file reaches through the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The 1-based line of the name.
    pub line: usize,
    /// The first name below the root (`session` in `crate::session::Session`), or `*` for a
    /// glob import of the root itself.
    pub name: String,
}

/// What [`scan`] finds in a file.
#[derive(Debug, Default)]
pub struct Scanned {
    /// The crate-root references outside test code.
    pub references: Vec<Reference>,
    /// The `#[macro_export]` macros the file defines (reachable as `crate::name!`).
    pub exported_macros: Vec<String>,
    /// Module paths (from the crate root) declared `#[cfg(test)] mod name;` in this file:
    /// their files are test code.
    pub test_modules: Vec<Vec<String>>,
}

/// Scans `text`, the file of module `module_path` (empty for the crate root).
pub fn scan(text: &str, module_path: &[String]) -> syn::Result<Scanned> {
    let file = syn::parse_file(text)?;
    if is_test(&file.attrs) {
        // `#![cfg(test)]`: the whole file (and any file below it) is test code.
        return Ok(Scanned {
            test_modules: vec![module_path.to_vec()],
            ..Scanned::default()
        });
    }
    let mut scanner = Scanner {
        path: module_path.to_vec(),
        found: Scanned::default(),
    };
    scanner.visit_file(&file);
    Ok(scanner.found)
}

struct Scanner {
    /// The module the visit is in: the file's module, then any inline `mod x { … }`.
    path: Vec<String>,
    found: Scanned,
}

impl Scanner {
    /// Records the path `segments` (names with their lines) if it leaves through the root.
    fn check(&mut self, segments: &[(String, usize)]) {
        let Some((first, _)) = segments.first() else {
            return;
        };
        let below_root = if first == "crate" {
            1
        } else if first == "super" {
            let climbs = segments
                .iter()
                .take_while(|(name, _)| name == "super")
                .count();
            if climbs != self.path.len() {
                // Still inside the top-level module, or climbing past the root (which the
                // compiler rejects anyway).
                return;
            }
            climbs
        } else {
            return;
        };
        if let Some((name, line)) = segments.get(below_root) {
            if name != "self" {
                self.found.references.push(Reference {
                    line: *line,
                    name: name.clone(),
                });
            }
        }
    }

    /// Walks a `use` tree, checking each complete path in it.
    fn use_tree(&mut self, prefix: &mut Vec<(String, usize)>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(ident(&path.ident));
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                self.use_leaf(prefix, ident(&name.ident));
            }
            syn::UseTree::Rename(rename) => {
                self.use_leaf(prefix, ident(&rename.ident));
            }
            syn::UseTree::Glob(glob) => {
                let line = glob.star_token.spans[0].start().line;
                self.use_leaf(prefix, ("*".to_string(), line));
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    /// Checks the path `prefix::last` of a `use` tree.
    fn use_leaf(&mut self, prefix: &mut Vec<(String, usize)>, last: (String, usize)) {
        prefix.push(last);
        self.check(prefix);
        prefix.pop();
    }

    /// Checks the paths in a macro's tokens, which `syn` leaves unparsed.
    fn tokens(&mut self, stream: TokenStream) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut at = 0;
        while at < tokens.len() {
            match &tokens[at] {
                TokenTree::Group(group) => self.tokens(group.stream()),
                TokenTree::Ident(name) if name == "crate" || name == "super" => {
                    // `pub(crate)`, `pub(super)`, `pub(in crate::x)`: a visibility.
                    let visibility = at >= 1
                        && matches!(&tokens[at - 1], TokenTree::Ident(word) if word == "in");
                    let mut segments = vec![ident(name)];
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) =
                        (tokens.get(at + 1), tokens.get(at + 2))
                    {
                        let Some(TokenTree::Ident(next)) = tokens.get(at + 3) else {
                            break;
                        };
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        segments.push(ident(next));
                        at += 3;
                    }
                    if !visibility {
                        self.check(&segments);
                    }
                }
                _ => {}
            }
            at += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Scanner {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test(item_attrs(item)) {
            visit::visit_item(self, item);
        } else if let syn::Item::Mod(module) = item {
            if module.content.is_none() {
                let mut path = self.path.clone();
                path.push(ident(&module.ident).0);
                self.found.test_modules.push(path);
            }
        }
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if let Some((_, items)) = &module.content {
            self.path.push(ident(&module.ident).0);
            for item in items {
                self.visit_item(item);
            }
            self.path.pop();
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Const(item) => &item.attrs,
            syn::ImplItem::Fn(item) => &item.attrs,
            syn::ImplItem::Type(item) => &item.attrs,
            syn::ImplItem::Macro(item) => &item.attrs,
            _ => return visit::visit_impl_item(self, item),
        };
        if !is_test(attrs) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        let exported = item
            .attrs
            .iter()
            .any(|attr| attr.path().is_ident("macro_export"));
        if let (true, Some(name)) = (exported, &item.ident) {
            self.found.exported_macros.push(ident(name).0);
        }
        visit::visit_item_macro(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if item.leading_colon.is_none() {
            self.use_tree(&mut Vec::new(), &item.tree);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segments: Vec<(String, usize)> =
                path.segments.iter().map(|s| ident(&s.ident)).collect();
            self.check(&segments);
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.tokens(mac.tokens.clone());
    }

    // Visibilities (`pub(crate)`, `pub(in crate::x)`) and attributes (doc comments among
    // them) name no dependency.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
}

/// An identifier's text (without `r#`) and line.
fn ident(ident: &proc_macro2::Ident) -> (String, usize) {
    let text = ident.to_string();
    let text = text.strip_prefix("r#").map(str::to_string).unwrap_or(text);
    (text, ident.span().start().line)
}

/// Whether `attrs` holds `#[cfg(test)]` or `#[cfg(all(…, test, …))]`.
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let syn::Meta::List(list) = &attr.meta else {
            return false;
        };
        if !list.path.is_ident("cfg") {
            return false;
        }
        let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
        match tokens.as_slice() {
            [TokenTree::Ident(word)] => word == "test",
            [TokenTree::Ident(all), TokenTree::Group(group)]
                if all == "all" && group.delimiter() == Delimiter::Parenthesis =>
            {
                group
                    .stream()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .split(|token| matches!(token, TokenTree::Punct(p) if p.as_char() == ','))
                    .any(|part| matches!(part, [TokenTree::Ident(word)] if word == "test"))
            }
            _ => false,
        }
    })
}

/// The attributes of an item.
fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(item) => &item.attrs,
        syn::Item::Enum(item) => &item.attrs,
        syn::Item::ExternCrate(item) => &item.attrs,
        syn::Item::Fn(item) => &item.attrs,
        syn::Item::ForeignMod(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        syn::Item::Macro(item) => &item.attrs,
        syn::Item::Mod(item) => &item.attrs,
        syn::Item::Static(item) => &item.attrs,
        syn::Item::Struct(item) => &item.attrs,
        syn::Item::Trait(item) => &item.attrs,
        syn::Item::TraitAlias(item) => &item.attrs,
        syn::Item::Type(item) => &item.attrs,
        syn::Item::Union(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        _ => &[],
    }
}
