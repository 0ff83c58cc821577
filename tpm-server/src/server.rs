//! The server: one TPM instance behind a mutex, the data and control listeners, and the
//! exit path.
//!
//! Threads: one per listener accepting clients, one per connection. A data connection
//! assembles its command without any lock and takes the instance's mutex only to execute
//! it, so commands run one at a time and a stalled client blocks no one. Every reason to
//! exit (SHUTDOWN, a signal, `-t`, `--ctrl ...,terminate`) is sent to one channel; the
//! main thread then stops the TPM, which writes its state, and removes its sockets.

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tpm_core::store::{BlobName, DirStore, Store, StoreError};
use tpm_marshal::ReturnCode;

use crate::ctrl::{self, BUFFER_MAX};
use crate::data::{self, CommandSink, ConnectionMode};
use crate::instance::{Backend, Manufacture, TpmInstance};
use crate::keys::KeyMaterial;
use crate::log::{Logger, LEVEL_EVENTS};
use crate::opts::{CtrlOpt, ServerOpt};
use crate::transport::{self, Bound, Listener, Stream};
use crate::wire;

/// Everything the server needs, parsed and loaded.
#[derive(Debug)]
pub struct Config {
    /// The state folder (`--tpmstate dir=`).
    pub state_dir: PathBuf,
    /// `--key`: encrypts and authenticates every state file.
    pub state_key: Option<KeyMaterial>,
    /// `--migration-key`: encrypts blobs leaving through GET_STATEBLOB.
    pub migration_key: Option<KeyMaterial>,
    /// `--server`: the data channel; without it (as libvirt and QEMU run swtpm) the data
    /// channel arrives by CMD_SET_DATAFD.
    pub server: Option<ServerOpt>,
    /// `--ctrl`: the control channel, if any.
    pub ctrl: Option<CtrlOpt>,
    /// `--flags not-need-init`: the TPM is initialised at start.
    pub not_need_init: bool,
    /// TPM commands the server sends itself once, after the initialisation at process
    /// start (`--flags not-need-init,startup-*`).
    pub after_init: Vec<Vec<u8>>,
    /// `--locality reject-locality-4`.
    pub reject_locality_4: bool,
    /// `-t`: exit when a data connection closes.
    pub terminate: bool,
    /// How a TPM with no state is manufactured.
    pub manufacture: Manufacture,
    /// Makes the TPM instance.
    pub backend: Backend,
    /// The log.
    pub log: Logger,
}

/// Why the server stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitReason {
    /// CMD_SHUTDOWN on the control channel.
    Shutdown,
    /// SIGINT or SIGTERM.
    Signal(String),
    /// A data connection closed and `-t` was given.
    DataClosed,
    /// The control connection closed and `--ctrl ...,terminate` was given.
    CtrlClosed,
}

/// The TPM and what the control channel sets around it; guarded by one mutex.
pub struct Core {
    /// The TPM.
    pub instance: Box<dyn TpmInstance>,
    /// INIT done and not STOPped since.
    pub running: bool,
    /// The locality of the next commands (SET_LOCALITY).
    pub locality: u8,
    /// The buffer size (SET_BUFFERSIZE): the largest command accepted.
    pub buffer_size: u32,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("running", &self.running)
            .field("locality", &self.locality)
            .field("buffer_size", &self.buffer_size)
            .finish_non_exhaustive()
    }
}

/// State shared by every connection thread.
#[derive(Debug)]
pub struct Shared {
    core: Mutex<Core>,
    /// The log.
    pub log: Logger,
    /// `--key`.
    pub state_key: Option<KeyMaterial>,
    /// `--migration-key`.
    pub migration_key: Option<KeyMaterial>,
    reject_locality_4: bool,
    after_init: Vec<Vec<u8>>,
    exit_tx: Sender<ExitReason>,
    datafd_busy: AtomicBool,
    data_mode: ConnectionMode,
    terminate_on_data_close: bool,
}

impl Shared {
    /// The TPM, locked (a panicked holder cannot leave it unusable: the guard is taken
    /// back from a poisoned lock).
    pub fn core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the main thread to stop the server.
    pub fn exit(&self, reason: ExitReason) {
        let _ = self.exit_tx.send(reason);
    }

    /// CMD_INIT: stops a running TPM, then _TPM_Init.
    ///
    /// # Errors
    /// The state could not be loaded (logged with the file's name).
    pub fn init_tpm(&self, delete_volatile: bool) -> Result<(), ReturnCode> {
        let mut core = self.core();
        if core.running {
            core.running = false;
            if let Err(e) = core.instance.stop() {
                self.log
                    .log(LEVEL_EVENTS, &format!("stopping the TPM: {e}"));
            }
        }
        core.instance.init(delete_volatile).map_err(|e| {
            self.log.log(
                LEVEL_EVENTS,
                &format!("Error: could not initialise the TPM: {e}"),
            );
            e.return_code()
        })?;
        core.running = true;
        Ok(())
    }

    /// The configured startup commands (`--flags startup-*`, or the newcomer's Startup and
    /// ContinueSelfTest), sent once when the process starts with an initialised TPM. As
    /// with swtpm, a later CMD_INIT does not repeat them: whoever sends CMD_INIT (QEMU's
    /// firmware, swtpm_bios) sends its own TPM_Startup.
    fn run_after_init(&self) {
        let mut core = self.core();
        for cmd in &self.after_init {
            let rsp = core.instance.execute(0, cmd);
            let code = wire::return_code(&rsp).unwrap_or(ReturnCode::TPM_FAIL);
            if !code.is_success() {
                self.log.log(
                    LEVEL_EVENTS,
                    &format!("{} after init: {code}", wire::ordinal_name(cmd)),
                );
            }
        }
    }

    /// CMD_STOP: ends the TPM's run, writing pending state.
    ///
    /// # Errors
    /// The state could not be written.
    pub fn stop_tpm(&self) -> Result<(), ReturnCode> {
        let mut core = self.core();
        if !core.running {
            return Ok(());
        }
        core.running = false;
        core.instance.stop().map_err(|e| {
            self.log
                .log(LEVEL_EVENTS, &format!("Error: stopping the TPM: {e}"));
            e.return_code()
        })
    }

    /// CMD_SET_LOCALITY.
    ///
    /// # Errors
    /// TPM_BAD_LOCALITY above 4, or for 4 with `reject-locality-4`.
    pub fn set_locality(&self, locality: u8) -> Result<(), ReturnCode> {
        if locality > 4 || (locality == 4 && self.reject_locality_4) {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        self.core().locality = locality;
        Ok(())
    }

    /// CMD_GET_CONFIG's flags.
    pub fn config_flags(&self) -> u32 {
        let mut flags = 0;
        if self.state_key.is_some() {
            flags |= ctrl::CONFIG_FLAG_FILE_KEY;
        }
        if self.migration_key.is_some() {
            flags |= ctrl::CONFIG_FLAG_MIGRATION_KEY;
        }
        flags
    }

    /// Whether a SET_DATAFD connection is being served.
    pub fn datafd_busy(&self) -> bool {
        self.datafd_busy.load(Ordering::SeqCst)
    }

    /// CMD_SET_DATAFD: serves `fd` as a data connection (kept open across commands).
    pub fn serve_datafd(self: &Arc<Self>, fd: OwnedFd) {
        self.datafd_busy.store(true, Ordering::SeqCst);
        let shared = Arc::clone(self);
        let stream = Stream::Unix(UnixStream::from(fd));
        std::thread::spawn(move || {
            data::serve_connection(shared.as_ref(), stream, ConnectionMode::default());
            shared.datafd_busy.store(false, Ordering::SeqCst);
            shared.data_closed();
        });
    }

    fn serve_data(self: &Arc<Self>, stream: Stream) {
        let shared = Arc::clone(self);
        std::thread::spawn(move || {
            data::serve_connection(shared.as_ref(), stream, shared.data_mode);
            shared.data_closed();
        });
    }

    fn data_closed(&self) {
        if self.terminate_on_data_close {
            self.exit(ExitReason::DataClosed);
        }
    }
}

impl CommandSink for Shared {
    fn execute(&self, command: &[u8]) -> Vec<u8> {
        let mut core = self.core();
        if !core.running {
            return wire::error_response(ReturnCode::TPM_FAIL);
        }
        let locality = core.locality;
        core.instance.execute(locality, command)
    }

    fn buffer_size(&self) -> usize {
        usize::try_from(self.core().buffer_size).unwrap_or(4096)
    }

    fn logger(&self) -> &Logger {
        &self.log
    }
}

/// A server whose sockets are bound and whose TPM is loaded, not yet serving (so the
/// process can still daemonise: no thread has started).
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    data: Option<Bound>,
    ctrl: Option<(Bound, bool)>,
    exit_rx: Receiver<ExitReason>,
}

/// A serving server.
#[derive(Debug)]
pub struct Running {
    shared: Arc<Shared>,
    exit_rx: Receiver<ExitReason>,
    socket_paths: Vec<PathBuf>,
}

/// Opens the state folder with `key`, and reads every blob once so a wrong key or a
/// corrupt file stops the server now, with the file's name.
///
/// # Errors
/// The folder is locked by another process, unreadable, or holds a bad file.
pub fn open_state(dir: &Path, key: Option<&KeyMaterial>) -> Result<DirStore, String> {
    let key = key.map(KeyMaterial::state_key).transpose()?;
    let mut store = DirStore::open(dir, key).map_err(|e| match e {
        StoreError::Locked { path } => {
            format!("state folder {path} is in use by another tpmd (it is locked)")
        }
        other => other.to_string(),
    })?;
    for name in BlobName::ALL {
        store.load(name).map_err(|e| e.to_string())?;
    }
    Ok(store)
}

impl Server {
    /// Loads the TPM from its state folder and binds the channels.
    ///
    /// # Errors
    /// A message for the user: locked or corrupt state, an address in use, a TPM that
    /// cannot be initialised.
    pub fn bind(config: Config) -> Result<Self, String> {
        let store = open_state(&config.state_dir, config.state_key.as_ref())?;
        let instance = (config.backend)(Box::new(store), config.manufacture)
            .map_err(|e| format!("cannot load the TPM: {e}"))?;
        let data = config
            .server
            .as_ref()
            .map(|s| transport::bind(&s.endpoint, "--server"))
            .transpose()?;
        let ctrl = config
            .ctrl
            .as_ref()
            .map(|c| transport::bind(&c.endpoint, "--ctrl").map(|b| (b, c.terminate)))
            .transpose()?;
        let (exit_tx, exit_rx) = channel();
        let shared = Arc::new(Shared {
            core: Mutex::new(Core {
                instance,
                running: false,
                locality: 0,
                buffer_size: BUFFER_MAX,
            }),
            log: config.log,
            state_key: config.state_key,
            migration_key: config.migration_key,
            reject_locality_4: config.reject_locality_4,
            after_init: config.after_init,
            exit_tx,
            datafd_busy: AtomicBool::new(false),
            data_mode: ConnectionMode {
                disconnect: config.server.as_ref().is_some_and(|s| s.disconnect),
            },
            terminate_on_data_close: config.terminate,
        });
        if config.not_need_init {
            shared
                .init_tpm(false)
                .map_err(|code| format!("cannot initialise the TPM: {code}"))?;
            shared.run_after_init();
        }
        Ok(Self {
            shared,
            data,
            ctrl,
            exit_rx,
        })
    }

    /// The data channel's TCP port, if it listens on TCP.
    pub fn data_port(&self) -> Option<u16> {
        match &self.data {
            Some(Bound::Listener(l)) => l.port(),
            _ => None,
        }
    }

    /// The control channel's TCP port, if it listens on TCP.
    pub fn ctrl_port(&self) -> Option<u16> {
        match &self.ctrl {
            Some((Bound::Listener(l), _)) => l.port(),
            _ => None,
        }
    }

    /// The shared state (for signal handlers and tests).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Starts the accept threads.
    pub fn serve(self) -> Running {
        let mut socket_paths = Vec::new();
        let shared = &self.shared;
        match self.data {
            Some(Bound::Listener(l)) => {
                socket_paths.extend(l.socket_path().map(Path::to_path_buf));
                let shared = Arc::clone(shared);
                std::thread::spawn(move || accept_loop(&l, &shared, |s, st| s.serve_data(st)));
            }
            Some(Bound::Client(stream)) => shared.serve_data(stream),
            None => {}
        }
        match self.ctrl {
            Some((Bound::Listener(l), terminate)) => {
                socket_paths.extend(l.socket_path().map(Path::to_path_buf));
                let shared = Arc::clone(shared);
                std::thread::spawn(move || {
                    accept_loop(&l, &shared, |s, st| {
                        let s = Arc::clone(s);
                        std::thread::spawn(move || ctrl::serve_connection(&s, st, terminate));
                    })
                });
            }
            Some((Bound::Client(stream), terminate)) => {
                let shared = Arc::clone(shared);
                std::thread::spawn(move || ctrl::serve_connection(&shared, stream, terminate));
            }
            None => {}
        }
        Running {
            shared: self.shared,
            exit_rx: self.exit_rx,
            socket_paths,
        }
    }
}

fn accept_loop(listener: &Listener, shared: &Arc<Shared>, serve: impl Fn(&Arc<Shared>, Stream)) {
    loop {
        match listener.accept() {
            Ok(stream) => serve(shared, stream),
            Err(e) => {
                shared.log.log(LEVEL_EVENTS, &format!("accept: {e}"));
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

impl Running {
    /// The shared state.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Blocks until a reason to exit arrives.
    pub fn wait(&self) -> ExitReason {
        self.exit_rx.recv().unwrap_or(ExitReason::Shutdown)
    }

    /// Stops the TPM (writing its state) and removes the socket files.
    ///
    /// # Errors
    /// The state could not be written.
    pub fn shutdown(self) -> Result<(), ReturnCode> {
        let result = self.shared.stop_tpm();
        for path in &self.socket_paths {
            let _ = std::fs::remove_file(path);
        }
        result
    }
}
