// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

// This file is both a module of evcxr and is included via include_str! then
// built as a crate itself. The latter is the primary use-case. It's included as
// a submodule only so that constants can be shared.

pub const VARIABLE_CHANGED_TYPE: &str = "EVCXR_VARIABLE_CHANGED_TYPE:";
pub const USER_ERROR_OCCURRED: &str = "EVCXR_ERROR_OCCURRED";

// lessons-kernel patch: the crate is now built once per build directory and every cell
// depends on it (see RUNTIME_CRATE in module.rs); before, every cell compiled this file as a
// module of its own, and rustc instantiated the store's `HashMap` in every cell. What a
// cell instantiates now is the generic surface below, marked `#[inline]`: boxing a value and
// downcasting it. The store's work is in the non-generic functions, compiled once.

use std::any::Any;

pub struct VariableStore {
    variables: std::collections::HashMap<String, Box<dyn Any + 'static>>,
}

impl VariableStore {
    pub fn new() -> VariableStore {
        VariableStore {
            variables: std::collections::HashMap::new(),
        }
    }

    #[inline]
    pub fn put_variable<T: 'static>(&mut self, name: &str, value: T) {
        self.put_boxed(name, Box::new(value));
    }

    #[inline]
    pub fn check_variable<T: 'static>(&mut self, name: &str) -> bool {
        match self.get_boxed(name) {
            Some(value) if !value.is::<T>() => {
                variable_changed_type(name);
                false
            }
            _ => true,
        }
    }

    #[inline]
    pub fn take_variable<T: 'static>(&mut self, name: &str) -> T {
        match self.take_boxed(name).downcast() {
            Ok(value) => *value,
            // Shouldn't happen so long as check_variable was called.
            Err(_) => variable_lost(name),
        }
    }

    pub fn put_boxed(&mut self, name: &str, value: Box<dyn Any + 'static>) {
        self.variables.insert(name.to_owned(), value);
    }

    pub fn get_boxed(&self, name: &str) -> Option<&(dyn Any + 'static)> {
        self.variables.get(name).map(|value| &**value)
    }

    pub fn take_boxed(&mut self, name: &str) -> Box<dyn Any + 'static> {
        match self.variables.remove(name) {
            Some(value) => value,
            None => panic!("Variable '{name}' has gone missing"),
        }
    }

    pub fn lazy_arc<T: 'static, F: FnOnce() -> T>(
        &mut self,
        name: &str,
        create: F,
    ) -> std::sync::Arc<T> {
        if let Some(value) = self
            .variables
            .entry(name.to_owned())
            .or_insert_with(|| Box::new(std::sync::Arc::new(create())))
            .downcast_mut()
        {
            std::sync::Arc::clone(value)
        } else {
            panic!("lazy_arc {name} changed type");
        }
    }

    pub fn merge(&mut self, mut other: VariableStore) {
        self.variables.extend(other.variables.drain());
    }
}

pub fn create_variable_store() -> *mut VariableStore {
    Box::into_raw(Box::new(VariableStore::new()))
}

pub fn variable_changed_type(name: &str) {
    eprintln!("The type of the variable {name} was redefined, so was lost.",);
    println!("{VARIABLE_CHANGED_TYPE}{name}");
}

#[cold]
fn variable_lost(_name: &str) -> ! {
    panic!("Variable changed type");
}
