//! The Typst `World`: generated sources in memory, files from the project root only,
//! fonts from `fonts/` only, no packages, a fixed date.

use std::collections::HashMap;
use std::sync::Arc;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};
use typst_syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};

use crate::content::images::Image;
use crate::fonts::Fonts;
use crate::sandbox::{Denied, MAX_BINARY_BYTES, Sandbox};

/// Serves generated sources from memory and everything else from inside the project root.
pub struct ProjectFiles {
    sandbox: Sandbox,
    generated: HashMap<FileId, Bytes>,
}

impl ProjectFiles {
    fn read_from_root(&self, vpath: &VirtualPath) -> FileResult<Bytes> {
        let relative = vpath.get_without_slash();
        self.sandbox
            .read(relative, MAX_BINARY_BYTES)
            .map(Bytes::new)
            .map_err(|denied| match denied {
                Denied::NotFound => FileError::NotFound(self.sandbox.root().join(relative)),
                Denied::Outside | Denied::BadPath => FileError::AccessDenied,
                Denied::NotAFile("a folder") => FileError::IsDirectory,
                other => FileError::Other(Some(other.to_string().into())),
            })
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
    pub fn new(sandbox: &Sandbox, fonts: Fonts, today: Datetime, main: &str) -> Self {
        let loader = ProjectFiles {
            sandbox: sandbox.clone(),
            generated: HashMap::new(),
        };
        Self {
            library: LazyHash::new(Library::default()),
            fonts,
            files: FileStore::new(loader),
            main: file_id(main),
            today,
        }
    }

    /// Replace the generated sources, keeping parsed sources for incremental reuse.
    /// The images are the validated ones the sources use: Typst reads them from memory, never
    /// from `chapters/images/`.
    pub fn set_generated(
        &mut self,
        generated: impl IntoIterator<Item = (String, String)>,
        images: &[Arc<Image>],
    ) {
        self.files.reset();
        let loader = self.files.loader_mut();
        loader.generated.clear();
        for (path, text) in generated {
            loader
                .generated
                .insert(file_id(&path), Bytes::from_string(text));
        }
        for image in images {
            loader
                .generated
                .insert(file_id(&image.path), Bytes::new(image.bytes.clone()));
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
