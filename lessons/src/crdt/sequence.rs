//! A sequence CRDT for text (RGA, inserts only), and the operational-transformation rule it
//! replaces.

use std::fmt::Debug;
use std::mem::size_of;

use serde::Serialize;

use super::error::CrdtError;
use super::lattice::{Crdt, OperationBased, WORD};
use crate::clocks::LamportTimestamp;
use crate::sim::NodeId;

/// One insert into an [`Rga`]: a value with a unique, Lamport-ordered id, placed right after the
/// element `after` (or at the start).
///
/// # Examples
///
/// ```
/// use lessons::crdt::Rga;
///
/// let mut text = Rga::new();
/// let op = text.insert(0, 0, 'a')?;
/// assert_eq!((op.id.time, op.after, op.value), (1, None, 'a'));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Insert<T> {
    /// The element's id: a Lamport time above every id its replica had seen, and the replica.
    pub id: LamportTimestamp,
    /// The element it goes right after, or `None` for the start.
    pub after: Option<LamportTimestamp>,
    /// The value.
    pub value: T,
}

/// A replicated growable array (RGA): a sequence, such as the characters of a text, that
/// replicas edit concurrently and that converges. Inserts only, in this lesson.
///
/// Each element has an id `(Lamport time, replica)` and remembers the element it was inserted
/// after. A replica places an incoming insert right after that element, but first skips the
/// elements there with larger ids: those were inserted after the same element concurrently, or
/// later, and they go first. Every replica skips the same elements, so every replica builds
/// the same sequence whatever order the inserts arrive in. An insert whose anchor has not
/// arrived yet waits.
///
/// # Examples
///
/// ```
/// use lessons::crdt::{OperationBased, Rga};
///
/// let mut a = Rga::new();
/// let mut ops = vec![a.insert(0, 0, 'a')?, a.insert(0, 1, 'c')?];
/// let mut b = a.clone();
/// ops.push(a.insert(0, 1, 'X')?); // A types X between a and c ...
/// ops.push(b.insert(1, 1, 'Y')?); // ... while B types Y there
/// let mut c = Rga::new();
/// for op in ops.iter().rev() {
///     c.apply(op); // any order
/// }
/// a.apply(&ops[3]);
/// b.apply(&ops[2]);
/// let text = |r: &Rga<char>| r.values().into_iter().collect::<String>();
/// assert_eq!((text(&a), text(&b), text(&c)), ("aYXc".into(), "aYXc".into(), "aYXc".into()));
/// # Ok::<(), lessons::crdt::CrdtError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Rga<T> {
    /// The sequence, in order.
    elements: Vec<Insert<T>>,
    /// Inserts whose anchor has not arrived, sorted by id.
    waiting: Vec<Insert<T>>,
}

impl<T> Default for Rga<T> {
    fn default() -> Self {
        Rga {
            elements: Vec::new(),
            waiting: Vec::new(),
        }
    }
}

impl<T: Clone + PartialEq + Debug> Rga<T> {
    /// An empty sequence.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::Rga::<char>::new().is_empty());
    /// ```
    pub fn new() -> Rga<T> {
        Rga::default()
    }

    /// Inserts `value` on replica `replica` so that it ends up at `index` (0 to the length);
    /// returns the operation to send.
    ///
    /// # Errors
    ///
    /// [`CrdtError::Parameter`] if `index` is past the end.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::Rga;
    ///
    /// let mut text = Rga::new();
    /// text.insert(0, 0, 'b')?;
    /// text.insert(0, 0, 'a')?;
    /// assert_eq!(text.values(), [&'a', &'b']);
    /// assert!(text.insert(0, 5, 'z').is_err());
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn insert(
        &mut self,
        replica: NodeId,
        index: usize,
        value: T,
    ) -> Result<Insert<T>, CrdtError> {
        if index > self.elements.len() {
            return Err(CrdtError::Parameter {
                name: "index",
                value: index.to_string(),
                allowed: "0 to the length of the sequence",
            });
        }
        let latest = self
            .elements
            .iter()
            .chain(&self.waiting)
            .map(|e| e.id.time)
            .max()
            .unwrap_or(0);
        let op = Insert {
            id: LamportTimestamp {
                time: latest + 1,
                node: replica,
            },
            after: index.checked_sub(1).map(|i| self.elements[i].id),
            value,
        };
        self.apply(&op);
        Ok(op)
    }

    /// The values, in sequence order.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::Rga;
    ///
    /// let mut text = Rga::new();
    /// text.insert(0, 0, 'x')?;
    /// assert_eq!(text.values(), [&'x']);
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn values(&self) -> Vec<&T> {
        self.elements.iter().map(|e| &e.value).collect()
    }

    /// How many elements are in the sequence (not counting inserts still waiting).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::Rga;
    ///
    /// let mut text = Rga::new();
    /// text.insert(0, 0, 'x')?;
    /// assert_eq!(text.len(), 1);
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// Whether the sequence is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(lessons::crdt::Rga::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// How many received inserts wait for the element they go after.
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::{OperationBased, Rga};
    ///
    /// let mut a = Rga::new();
    /// a.insert(0, 0, 'a')?;
    /// let second = a.insert(0, 1, 'b')?;
    /// let mut b = Rga::new();
    /// b.apply(&second);
    /// assert_eq!((b.len(), b.waiting()), (0, 1));
    /// # Ok::<(), lessons::crdt::CrdtError>(())
    /// ```
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn holds(&self, id: LamportTimestamp) -> bool {
        self.elements.iter().any(|e| e.id == id) || self.waiting.iter().any(|e| e.id == id)
    }

    /// Places `op`, whose anchor is present, in the sequence.
    fn integrate(&mut self, op: Insert<T>) {
        let mut position = match op.after {
            None => 0,
            Some(anchor) => match self.elements.iter().position(|e| e.id == anchor) {
                Some(index) => index + 1,
                None => return,
            },
        };
        while position < self.elements.len() && self.elements[position].id > op.id {
            position += 1;
        }
        self.elements.insert(position, op);
    }

    /// Integrates every waiting insert whose anchor has arrived, until none is left that can.
    fn release(&mut self) {
        loop {
            let ready = self.waiting.iter().position(|op| {
                op.after
                    .is_none_or(|anchor| self.elements.iter().any(|e| e.id == anchor))
            });
            match ready {
                Some(index) => {
                    let op = self.waiting.remove(index);
                    self.integrate(op);
                }
                None => return,
            }
        }
    }
}

impl<T: Clone + PartialEq + Debug> OperationBased for Rga<T> {
    type Op = Insert<T>;

    fn apply(&mut self, op: &Insert<T>) {
        if self.holds(op.id) {
            return;
        }
        let position = self.waiting.partition_point(|w| w.id < op.id);
        self.waiting.insert(position, op.clone());
        self.release();
    }
}

impl<T: Clone + PartialEq + Debug> Crdt for Rga<T> {
    fn merge(&mut self, other: &Rga<T>) {
        for op in other.elements.iter().chain(&other.waiting) {
            self.apply(op);
        }
    }

    fn size_in_bytes(&self) -> usize {
        (self.elements.len() + self.waiting.len()) * (size_of::<T>() + 4 * WORD)
    }
}

/// An insert as operational transformation (OT) sends it: a position in the text as the sender
/// saw it, a character, and the sender's site id.
///
/// # Examples
///
/// ```
/// use lessons::crdt::TextInsert;
///
/// let op = TextInsert { position: 1, value: 'X', site: 0 };
/// assert_eq!(op.applied_to("abc"), "aXbc");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TextInsert {
    /// Where the character goes, counted in characters.
    pub position: usize,
    /// The character.
    pub value: char,
    /// The site that made the insert; breaks ties between inserts at the same position.
    pub site: NodeId,
}

impl TextInsert {
    /// The text with this insert applied (a position past the end appends).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TextInsert;
    ///
    /// assert_eq!(TextInsert { position: 0, value: 'x', site: 0 }.applied_to("yz"), "xyz");
    /// ```
    pub fn applied_to(&self, text: &str) -> String {
        let mut characters: Vec<char> = text.chars().collect();
        let position = self.position.min(characters.len());
        characters.insert(position, self.value);
        characters.into_iter().collect()
    }

    /// This insert transformed to apply after `concurrent`, an insert made at the same time on
    /// another site: shifted right by one if `concurrent` went before it (a smaller position,
    /// or the same position and a smaller site id).
    ///
    /// # Examples
    ///
    /// ```
    /// use lessons::crdt::TextInsert;
    ///
    /// let a = TextInsert { position: 1, value: 'X', site: 0 };
    /// let b = TextInsert { position: 1, value: 'Y', site: 1 };
    /// let at_a = b.transformed_against(&a).applied_to(&a.applied_to("abc"));
    /// let at_b = a.transformed_against(&b).applied_to(&b.applied_to("abc"));
    /// assert_eq!((at_a.as_str(), at_b.as_str()), ("aXYbc", "aXYbc"));
    /// ```
    pub fn transformed_against(&self, concurrent: &TextInsert) -> TextInsert {
        let goes_first = concurrent.position < self.position
            || (concurrent.position == self.position && concurrent.site < self.site);
        TextInsert {
            position: self.position + usize::from(goes_first),
            ..*self
        }
    }
}
