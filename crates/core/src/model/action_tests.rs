use super::*;
use crate::model::Size;

#[test]
fn a_resize_sends_only_what_changed() {
    let from = Size {
        vcpus: Some(2),
        memory_gb: Some(4),
        disk_gb: Some(50),
        flavor: None,
    };
    assert_eq!(
        Resize::to_target(&from, 2, 8, 50),
        Ok(Resize::One {
            resource: Resource::Ram,
            size: 8
        })
    );
    assert_eq!(
        Resize::to_target(&from, 4, 8, 50),
        Ok(Resize::All {
            cpu: 4,
            ram: 8,
            disk: 50
        })
    );
    assert_eq!(
        Resize::to_target(&from, 2, 4, 50),
        Err(Refusal::ResizeChangesNothing)
    );
}
