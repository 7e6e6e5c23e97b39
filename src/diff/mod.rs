//! Block-then-word diffs between two versions of a policy (see the change-history issue).
