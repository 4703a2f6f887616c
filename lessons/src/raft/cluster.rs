//! A Raft cluster on the simulator: N servers, any number of clients, the faults and links of
//! [`sim`](crate::sim), and a [`SafetyMonitor`] watching every step.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use super::client::{RaftClient, RequestRecord, Workload};
use super::log::Operation;
use super::monitor::SafetyMonitor;
use super::node::{Config, RaftNode, Role};
use super::server::{RaftServer, ReadMode, Timing, Wire};
use super::state_machine::Outcome;
use crate::check::{CheckError, RegisterHistory};
use crate::sim::{Fault, Link, NodeId, PhysicalClock, SimError, Simulation, Time};

/// Servers `0..N` running Raft on a seeded simulation, and the clients added after them.
///
/// # Examples
///
/// ```
/// use lessons::raft::{Config, RaftCluster, Timing, Workload};
/// use lessons::check::check_register;
/// use lessons::sim::ms;
///
/// let mut cluster = RaftCluster::new(42, Config::new(5)?, Timing::paper())?;
/// cluster.add_client(Workload::writes(10))?;
/// cluster.run_until(ms(3_000))?;
/// assert!(cluster.monitor().violations().is_empty());
/// assert!(check_register(&cluster.history()?).is_linearizable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RaftCluster {
    sim: Simulation<Wire>,
    monitor: Rc<RefCell<SafetyMonitor>>,
    servers: usize,
    clients: Vec<NodeId>,
}

impl RaftCluster {
    /// `config.cluster_size` servers named S1, S2, ... (ids 0, 1, ...), with the simulation's default links
    /// (1 ms, no loss) and trace recording off.
    ///
    /// # Errors
    ///
    /// None for a valid config; the result type keeps room for the simulator's checks.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    ///
    /// assert_eq!(RaftCluster::new(1, Config::new(3)?, Timing::paper())?.servers(), 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn new(seed: u64, config: Config, timing: Timing) -> Result<RaftCluster, SimError> {
        RaftCluster::with_reads(seed, config, timing, ReadMode::Log)
    }

    /// Like [`new`](Self::new), with servers that answer reads the `reads` way.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, ReadMode, Timing};
    ///
    /// let cluster = RaftCluster::with_reads(1, Config::new(3)?, Timing::paper(), ReadMode::ReadIndex)?;
    /// assert_eq!(cluster.servers(), 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn with_reads(
        seed: u64,
        config: Config,
        timing: Timing,
        reads: ReadMode,
    ) -> Result<RaftCluster, SimError> {
        let servers = config.cluster_size;
        let monitor = Rc::new(RefCell::new(SafetyMonitor::new(servers)));
        let mut sim = Simulation::new(seed);
        sim.set_recording(false);
        for id in 0..servers {
            let node = RaftNode::new(id, config)?;
            let shared = Rc::clone(&monitor);
            sim.add_node(format!("S{}", id + 1), move || {
                RaftServer::new(node.clone(), timing, reads, Rc::clone(&shared))
            });
        }
        Ok(RaftCluster {
            sim,
            monitor,
            servers,
            clients: Vec::new(),
        })
    }

    /// The number of servers.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    ///
    /// assert_eq!(RaftCluster::new(1, Config::new(4)?, Timing::paper())?.servers(), 4);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn servers(&self) -> usize {
        self.servers
    }

    /// Adds a client running `workload`; returns its node id.
    ///
    /// # Errors
    ///
    /// None today; kept for symmetry with the simulator.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing, Workload};
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// assert_eq!(cluster.add_client(Workload::writes(3))?, 3);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn add_client(&mut self, workload: Workload) -> Result<NodeId, SimError> {
        let servers = self.servers;
        let name = format!("C{}", self.clients.len());
        let id = self
            .sim
            .add_node(name, move || RaftClient::new(servers, workload));
        self.clients.push(id);
        Ok(id)
    }

    /// Sets every link (delay distribution, loss, duplication, reordering).
    ///
    /// # Errors
    ///
    /// An invalid link.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    /// use lessons::sim::Link;
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// assert!(cluster.set_links(Link::new().loss(2.0)).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn set_links(&mut self, link: Link) -> Result<(), SimError> {
        self.sim.set_links(link)
    }

    /// Gives server or client `node` a wrong clock (only leases read clocks).
    ///
    /// # Errors
    ///
    /// As [`Simulation::set_clock`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    /// use lessons::sim::PhysicalClock;
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// cluster.set_clock(0, PhysicalClock::new().drift_ppm(-300_000))?;
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn set_clock(&mut self, node: NodeId, clock: PhysicalClock) -> Result<(), SimError> {
        self.sim.set_clock(node, clock)
    }

    /// Schedules a fault (partition, crash, pause).
    ///
    /// # Errors
    ///
    /// As [`Simulation::add_fault`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    /// use lessons::sim::{crash, ms};
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// cluster.add_fault(crash(0).at(ms(10)).restart_at(ms(500)))?;
    /// assert!(cluster.add_fault(crash(9).at(ms(10))).is_err());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn add_fault(&mut self, fault: impl Into<Fault>) -> Result<(), SimError> {
        self.sim.add_fault(fault)
    }

    /// Runs to virtual time `time`.
    ///
    /// # Errors
    ///
    /// As [`Simulation::run_until`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    /// use lessons::sim::ms;
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// cluster.run_until(ms(100))?;
    /// assert_eq!(cluster.now(), ms(100));
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn run_until(&mut self, time: Time) -> Result<(), SimError> {
        self.sim.run_until(time).map(|_| ())
    }

    /// The current virtual time.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    /// use lessons::sim::Time;
    ///
    /// assert_eq!(RaftCluster::new(1, Config::new(3)?, Timing::paper())?.now(), Time::ZERO);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn now(&self) -> Time {
        self.sim.now()
    }

    /// Server `id`, if it is running (not crashed).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    ///
    /// let cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// assert!(cluster.server(0).is_some() && cluster.server(3).is_none());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn server(&self, id: NodeId) -> Option<&RaftServer> {
        self.sim.node::<RaftServer>(id)
    }

    /// Client `id` (a node id returned by [`add_client`](Self::add_client)).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing, Workload};
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// let client = cluster.add_client(Workload::writes(1))?;
    /// assert!(cluster.client(client).is_some() && cluster.client(0).is_none());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn client(&self, id: NodeId) -> Option<&RaftClient> {
        self.sim.node::<RaftClient>(id)
    }

    /// The running leader of the highest term, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    ///
    /// assert_eq!(RaftCluster::new(1, Config::new(3)?, Timing::paper())?.leader(), None);
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn leader(&self) -> Option<NodeId> {
        (0..self.servers)
            .filter_map(|id| self.server(id).map(RaftServer::node))
            .filter(|node| node.role() == Role::Leader)
            .max_by_key(|node| node.term())
            .map(RaftNode::id)
    }

    /// The monitor's findings so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing};
    ///
    /// let cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// assert!(cluster.monitor().elections().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn monitor(&self) -> Ref<'_, SafetyMonitor> {
        self.monitor.borrow()
    }

    /// Every client's requests, client by client.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing, Workload};
    ///
    /// let mut cluster = RaftCluster::new(1, Config::new(3)?, Timing::paper())?;
    /// cluster.add_client(Workload::writes(2))?;
    /// assert!(cluster.requests().is_empty());
    /// # Ok::<(), lessons::sim::SimError>(())
    /// ```
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.clients
            .iter()
            .filter_map(|&id| self.client(id))
            .flat_map(|client| client.records().iter().copied())
            .collect()
    }

    /// The clients' requests as a register history for [`crate::check`]: a write never
    /// answered may or may not have taken effect; an unanswered read says nothing.
    ///
    /// # Errors
    ///
    /// As [`RegisterHistory::push`].
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::raft::{Config, RaftCluster, Timing, Workload};
    /// use lessons::sim::ms;
    ///
    /// let mut cluster = RaftCluster::new(3, Config::new(3)?, Timing::paper())?;
    /// cluster.add_client(Workload::writes(4))?;
    /// cluster.run_until(ms(2_000))?;
    /// assert_eq!(cluster.history()?.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn history(&self) -> Result<RegisterHistory, CheckError> {
        let mut history = RegisterHistory::new();
        for record in self.requests() {
            let client = record.client as NodeId;
            match (record.operation, record.outcome, record.answered_at) {
                (Operation::Write(value), _, answered) => {
                    history.write(client, value, record.invoked_at, answered)?;
                }
                (Operation::Read, Some(Outcome::Read(value)), Some(answered)) => {
                    history.read(client, value, record.invoked_at, answered)?;
                }
                (Operation::Read, _, _) => {}
            }
        }
        Ok(history)
    }
}
