//! `lessons-kernel notes`: executes lesson notebooks through this kernel, without Jupyter, and
//! writes study notes from them.
//!
//! For each notebook, in file-name (curriculum) order, it starts the kernel in the notebook's
//! directory ([`client`]), runs every code cell ([`execute`]) with a progress bar
//! ([`progress`]), and writes into the output directory: the executed `.ipynb`
//! ([`notebook`]), an HTML page ([`html`], with [`prose`], [`highlight`] and [`outputs`]) and
//! a Markdown version with its plots as SVG files ([`markdown`]). Then an index page of both
//! kinds. A notebook whose cell fails is reported with the cell and the error and is not
//! exported; the others are, and the run ends with a failure status.

pub mod client;
pub mod execute;
pub mod highlight;
pub mod html;
pub mod markdown;
pub mod notebook;
pub mod outputs;
pub mod progress;
pub mod prose;
pub mod widgets;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use self::execute::Failure;

/// What `notes` was asked to do.
pub struct Options {
    /// The notebooks; empty means every `.ipynb` in `./notebooks`.
    pub notebooks: Vec<PathBuf>,
    /// Where the notes go (created if missing).
    pub out: PathBuf,
    /// How long one cell may run.
    pub cell_timeout: Duration,
    /// Start with every code block folded.
    pub fold_code: bool,
}

/// One lesson: its notebook after execution, and how it went.
pub struct Lesson {
    /// The notebook's file name without `.ipynb`; the notes' files are named after it.
    pub stem: String,
    pub title: String,
    pub notebook: nbformat::v4::Notebook,
    pub failure: Option<Failure>,
}

/// The notebooks to export, in curriculum (file-name) order.
fn notebooks(options: &Options) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths = if options.notebooks.is_empty() {
        let dir = Path::new("notebooks");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir)
            .context("no notebooks given and no ./notebooks directory to take them from")?
        {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "ipynb") {
                found.push(path);
            }
        }
        found
    } else {
        options.notebooks.clone()
    };
    anyhow::ensure!(!paths.is_empty(), "no notebooks to export");
    paths.sort_by_key(|path| path.file_name().map(|name| name.to_owned()));
    Ok(paths)
}

/// Runs one notebook in its own kernel; `Err` only for what stops the whole lesson before a
/// cell runs (an unreadable file, a kernel that does not start).
async fn run_notebook(
    path: &Path,
    options: &Options,
    bars: &progress::Bars,
) -> anyhow::Result<Lesson> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .context("a notebook's file name is not UTF-8")?
        .to_owned();
    let mut notebook = notebook::read(path)?;
    let title = notebook::title(&notebook, &stem);
    let bar = bars.notebook(&stem, execute::code_cells(&notebook));
    let work_dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let logs = options.out.join("logs");
    std::fs::create_dir_all(&logs)?;
    let log_path = logs.join(format!("{stem}.kernel.log"));
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("creating {}", log_path.display()))?;
    let started = client::KernelClient::start(work_dir, log).await;
    let failure = match started {
        Ok(mut client) => {
            let ran = execute::run(&mut notebook, &mut client, options.cell_timeout, &bar).await;
            client.shutdown().await;
            ran.err()
        }
        Err(error) => Some(Failure {
            cell: 0,
            source: String::new(),
            ename: "KernelError".into(),
            evalue: format!("{error:#} (kernel log: {})", log_path.display()),
            traceback: Vec::new(),
        }),
    };
    bar.finish();
    Ok(Lesson {
        stem,
        title,
        notebook,
        failure,
    })
}

/// Exports the notebooks; returns whether every one of them ran without error.
pub fn run(options: Options) -> anyhow::Result<bool> {
    let paths = notebooks(&options)?;
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("creating {}", options.out.display()))?;
    let runtime = crate::protocol::wire::socket_runtime()?;
    let bars = progress::Bars::new(paths.len());
    let mut lessons = Vec::new();
    for path in &paths {
        let started = Instant::now();
        let lesson = runtime.block_on(run_notebook(path, &options, &bars))?;
        let seconds = started.elapsed().as_secs_f32();
        match &lesson.failure {
            None => bars.println(&format!("ok      {} ({seconds:.0} s)", path.display())),
            Some(failure) => bars.println(&format!("FAILED  {}: {failure}", path.display())),
        }
        bars.notebook_done();
        lessons.push(lesson);
    }
    bars.finish();
    write_notes(&lessons, &options)?;
    let failed: Vec<&Lesson> = lessons.iter().filter(|l| l.failure.is_some()).collect();
    eprintln!(
        "Notes for {} of {} notebooks in {}/index.html",
        lessons.len() - failed.len(),
        lessons.len(),
        options.out.display()
    );
    for lesson in &failed {
        if let Some(failure) = &lesson.failure {
            eprintln!("{}.ipynb: {failure}", lesson.stem);
        }
    }
    Ok(failed.is_empty())
}

/// Writes every exported lesson's notebook, HTML page and Markdown page, and both indexes.
fn write_notes(lessons: &[Lesson], options: &Options) -> anyhow::Result<()> {
    let highlighter = highlight::Highlighter::new();
    let page_options = html::PageOptions {
        highlighter: &highlighter,
        fold_code: options.fold_code,
        lessons,
    };
    let out = &options.out;
    for lesson in lessons.iter().filter(|l| l.failure.is_none()) {
        notebook::write(
            &lesson.notebook,
            &out.join(format!("{}.ipynb", lesson.stem)),
        )?;
        let page = html::lesson_page(lesson, &page_options);
        std::fs::write(out.join(format!("{}.html", lesson.stem)), page)?;
        markdown::write_lesson(lesson, out)?;
    }
    std::fs::write(out.join("index.html"), html::index_page(lessons))?;
    std::fs::write(out.join("index.md"), markdown::index(lessons))?;
    Ok(())
}
