//! The Typst `World`: generated sources in memory, files from the project root only,
//! fonts from `fonts/` only, no packages, a fixed date.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};
use typst_syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};

use crate::diagnostics::{Error, Result};

/// Fonts read once from `fonts/` and shared by every edition's world.
#[derive(Debug, Clone)]
pub struct Fonts {
    pub book: Arc<LazyHash<FontBook>>,
    pub fonts: Arc<Vec<Font>>,
}

impl Fonts {
    /// Read every `.ttf`, `.otf`, `.ttc` and `.otc` file in `dir`, in name order.
    pub fn load(dir: &Path) -> Result<Self> {
        let entries = fs::read_dir(dir).map_err(|e| {
            Error::msg(format!(
                "cannot read the fonts folder {}: {e}",
                dir.display()
            ))
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
            })
            .collect();
        paths.sort();
        let mut book = FontBook::new();
        let mut fonts = Vec::new();
        for path in paths {
            let data = fs::read(&path)
                .map_err(|e| Error::msg(format!("cannot read font {}: {e}", path.display())))?;
            let before = fonts.len();
            for font in Font::iter(Bytes::new(data)) {
                book.push(font.info().clone());
                fonts.push(font);
            }
            if fonts.len() == before {
                return Err(Error::msg(format!(
                    "{} is not a font Typst can read",
                    path.display()
                )));
            }
        }
        if fonts.is_empty() {
            return Err(Error::msg(format!(
                "no fonts in {}: the build uses only these fonts",
                dir.display()
            )));
        }
        Ok(Self {
            book: Arc::new(LazyHash::new(book)),
            fonts: Arc::new(fonts),
        })
    }

    /// Whether a family name is known (case-insensitive, as Typst matches it).
    pub fn has_family(&self, family: &str) -> bool {
        self.book
            .families()
            .any(|(name, _)| name.eq_ignore_ascii_case(family))
    }
}

/// Serves generated sources from memory and everything else from inside the project root.
pub struct ProjectFiles {
    root: PathBuf,
    generated: HashMap<FileId, Bytes>,
}

impl ProjectFiles {
    fn read_from_root(&self, vpath: &VirtualPath) -> FileResult<Bytes> {
        let path = vpath.realize(&self.root).map_err(FileError::from)?;
        let canonical = path
            .canonicalize()
            .map_err(|e| FileError::from_io(e, &path))?;
        if !canonical.starts_with(&self.root) {
            // A symlink (or similar) that leads out of the project.
            return Err(FileError::AccessDenied);
        }
        if canonical.is_dir() {
            return Err(FileError::IsDirectory);
        }
        let size = fs::metadata(&canonical)
            .map_err(|e| FileError::from_io(e, &path))?
            .len();
        if size > 64 * 1024 * 1024 {
            return Err(FileError::Other(Some("file is larger than 64 MiB".into())));
        }
        fs::read(&canonical)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }
}

impl FileLoader for ProjectFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::Other(Some(
                format!("packages such as {spec} are not available: guidebook never downloads code; put what you need in layouts/").into(),
            ))));
        }
        if let Some(bytes) = self.generated.get(&id) {
            return Ok(bytes.clone());
        }
        self.read_from_root(id.vpath())
    }
}

/// The compilation environment of one edition.
pub struct BookWorld {
    library: LazyHash<Library>,
    fonts: Fonts,
    files: FileStore<ProjectFiles>,
    main: FileId,
    today: Datetime,
}

/// The file id of a project path such as `/gen/book.typ`.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("generated paths are valid virtual paths");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl BookWorld {
    /// A world over `root` with the given generated sources; `main` must be one of them.
    pub fn new(root: &Path, fonts: Fonts, today: Datetime, main: &str) -> Result<Self> {
        let root = root.canonicalize().map_err(|e| {
            Error::msg(format!(
                "cannot open the project folder {}: {e}",
                root.display()
            ))
        })?;
        let loader = ProjectFiles {
            root,
            generated: HashMap::new(),
        };
        Ok(Self {
            library: LazyHash::new(Library::default()),
            fonts,
            files: FileStore::new(loader),
            main: file_id(main),
            today,
        })
    }

    /// Replace the generated sources, keeping parsed sources for incremental reuse.
    pub fn set_generated(&mut self, generated: impl IntoIterator<Item = (String, String)>) {
        self.files.reset();
        let loader = self.files.loader_mut();
        loader.generated.clear();
        for (path, text) in generated {
            loader
                .generated
                .insert(file_id(&path), Bytes::from_string(text));
        }
    }

    /// The date used for `datetime.today()` and the PDF timestamp.
    pub fn today(&self) -> Datetime {
        self.today
    }
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
