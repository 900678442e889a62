//! "Create volume": what the provider takes — the VM it is made on (ONETSolutions, where
//! volumes belong to an instance), a name (cloudsfor; ONETSolutions names it itself), its region
//! (cloudsfor, from those of the connection's VMs) and its size. vigil-core's refusal inline.

use leptos::prelude::*;
use vigil_core::words::{self, VolLabel};
use vigil_core::{Action, Caps, Command, ConnId, Scope, VmId, VolumeSpec};

use crate::console::Console;

#[component]
pub fn CreateForm(conn: ConnId, caps: &'static Caps, fixed_vm: Option<VmId>) -> impl IntoView {
    let vc = caps.volumes;
    if !vc.ops.create.offered() {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let id = |what: &str| format!("vol-{what}-{}", conn.as_str());
    let choices = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.rows();
            console.view(|v| {
                let vms: Vec<(String, String)> = v
                    .vms(&conn)
                    .iter()
                    .map(|x| (x.id.to_string(), x.name.clone()))
                    .collect();
                (vms, v.volume_regions(&conn))
            })
        })
    };
    let vm = RwSignal::new(fixed_vm.as_ref().map(|v| v.to_string()).unwrap_or_default());
    let name = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let size = RwSignal::new("10".to_string());
    let error = RwSignal::new(None::<String>);
    // The first choice until one is made.
    Effect::new(move |_| {
        let (vms, regions) = choices.get();
        if vm.get_untracked().is_empty() {
            if let Some(first) = vms.first() {
                vm.set(first.0.clone());
            }
        }
        if region.get_untracked().is_empty() {
            if let Some(first) = regions.first() {
                region.set(first.clone());
            }
        }
    });
    let title = VolLabel::Create.text();
    let label = title.clone();
    let on_submit = {
        let conn = conn.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Ok(size_gb) = size.get_untracked().trim().parse::<u32>() else {
                let why = vigil_core::words::ResRefusal::VolumeSize { max: vc.max_gb };
                return error.set(Some(why.to_string()));
            };
            let scope = if vc.per_vm {
                Scope::Vm(VmId::from(vm.get_untracked().as_str()))
            } else {
                Scope::Conn
            };
            let spec = VolumeSpec {
                name: if vc.named {
                    name.get_untracked()
                } else {
                    String::new()
                },
                size_gb,
                region: vc.regional.then(|| region.get_untracked()),
            };
            let cmd = Command::ActRes {
                conn: conn.clone(),
                scope,
                action: Action::CreateVolume(spec),
            };
            match console.intend(cmd) {
                Ok(_) => {
                    error.set(None);
                    name.set(String::new());
                }
                Err(why) => error.set(Some(why.to_string())),
            }
        }
    };
    let vm_field = (vc.per_vm && fixed_vm.is_none()).then(|| {
        view! {
            <label for=id("vm")>{VolLabel::MadeOn.text()}</label>
            <select id=id("vm") name="vm" on:change=move |ev| vm.set(event_target_value(&ev))>
                {move || choices.get().0.into_iter().map(|(v, n)| {
                    let selected = vm.get_untracked() == v;
                    view! { <option value=v.clone() selected=selected>{words::name(&n)}</option> }
                }).collect_view()}
            </select>
        }
    });
    let name_field = vc.named.then(|| {
        view! {
            <label for=id("name")>{VolLabel::Name.text()}</label>
            <input id=id("name") type="text" name="name" required autocomplete="off"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
        }
    });
    let region_field = vc.regional.then(|| {
        view! {
            <label for=id("region")>{VolLabel::Region.text()}</label>
            <select id=id("region") name="region" on:change=move |ev| region.set(event_target_value(&ev))>
                {move || choices.get().1.into_iter().map(|r| {
                    let selected = region.get_untracked() == r;
                    view! { <option value=r.clone() selected=selected>{words::name(&r)}</option> }
                }).collect_view()}
            </select>
        }
    });
    let max = vc.max_gb.map(|m| m.to_string());
    view! {
        <form class="action-panel vol-create" aria-label=label on:submit=on_submit>
            <h4>{title.clone()}</h4>
            {(!vc.named).then(|| view! { <p class="hint">{VolLabel::ProviderNames.text()}</p> })}
            <div class="vol-fields">
                {vm_field}
                {name_field}
                {region_field}
                <label for=id("size")>{VolLabel::SizeGb.text()}</label>
                <input id=id("size") type="number" name="size" min="1" max=max step="1" required
                    prop:value=move || size.get() on:input=move |ev| size.set(event_target_value(&ev))/>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="row-actions">
                <button type="submit" class="btn primary">{title}</button>
            </div>
        </form>
    }
    .into_any()
}
