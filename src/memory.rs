//! Handing memory back to the system after a large, short-lived build.
//!
//! The allocator (mimalloc, set by the binary) keeps pages a thread freed for
//! that thread's next allocations and returns them lazily, when the thread
//! allocates again. Building the TV guide frees tens of megabytes (the rows
//! as read, the search index's arena) on threads that may then stay idle, so
//! the process would hold them for good.

/// Returns the pages the calling thread's allocator holds free to the system.
pub fn return_freed_pages() {
    // SAFETY: `mi_collect` only releases memory mimalloc holds unused; it may
    // be called from any thread at any time. Where mimalloc is not the global
    // allocator (the tests) its own heaps are empty and this does nothing.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
