//! What a provider offers for a new VM (regions, sizes, images, keys, networks), as the create
//! form shows it, and the checks a [`VmSpec`] must pass against it before anything is sent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dialect::{Caps, CreateCaps, Sizing};
use crate::error::ApiError;
use crate::model::VmSpec;
use crate::words::Refusal;

/// One list a provider offers for the create form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Part {
    Regions,
    Sizes,
    Images,
    SshKeys,
    /// Erigones networks, ONETSolutions VPCs.
    Networks,
    /// ZennoHosting configuration profiles.
    Configurations,
    /// Hostway security groups.
    SecurityGroups,
    /// The account itself (cloudsfor's `vm_limit`).
    Account,
}

/// One thing to choose. `id` is what the create request takes (a slug, an id, an href).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    /// What the user reads: `Debian 12`, `s-2vcpu-4gb`.
    pub label: String,
    /// A sizes' or image's numbers, where the provider gives them.
    pub vcpus: Option<u32>,
    pub ram_mb: Option<u64>,
    pub disk_gb: Option<u32>,
    /// An image's least disk.
    pub min_disk_gb: Option<u32>,
    /// The OS name or type an image implies (ONETSolutions `os_name`, Erigones `ostype`).
    pub os: Option<String>,
    /// Where it is offered (a size's regions), when the provider says; empty: everywhere.
    pub regions: Vec<String>,
    /// Monthly price as the provider writes it.
    pub price: Option<String>,
    /// The provider marks it unavailable now.
    pub unavailable: bool,
    /// The choice of another part it belongs to, when the provider says (a ZennoHosting
    /// configuration profile's `tariffId`: one of [`Part::Sizes`]): it goes only with that one.
    #[serde(default)]
    pub of: Option<String>,
}

/// What a catalogue request answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartData {
    Choices(Vec<Choice>),
    /// The account's VM limit, when it has one.
    VmLimit(Option<u64>),
}

/// Where one part of the catalogue stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartState {
    Loading,
    Ready(PartData),
    Failed(ApiError),
}

/// A connection's catalogue, part by part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub parts: BTreeMap<Part, PartState>,
}

/// An amount a user types where the provider has no sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Amount {
    Vcpus,
    RamMb,
    DiskGb,
}

/// A field of the create form, for inline validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Name,
    Region,
    Size,
    Image,
    Amounts,
    Network,
    SecurityGroup,
    SshKeys,
    /// A configuration profile (ZennoHosting), of the size chosen.
    Configuration,
}

impl Catalogue {
    pub fn choices(&self, part: Part) -> &[Choice] {
        match self.parts.get(&part) {
            Some(PartState::Ready(PartData::Choices(c))) => c,
            _ => &[],
        }
    }

    pub fn vm_limit(&self) -> Option<u64> {
        match self.parts.get(&Part::Account) {
            Some(PartState::Ready(PartData::VmLimit(l))) => *l,
            _ => None,
        }
    }

    /// The choices the form offers for `part`, given what `spec` has chosen so far: those of
    /// the region chosen (where a choice says where it is offered) and of the size chosen (where
    /// a choice belongs to one, [`Choice::of`]).
    pub fn offered(&self, part: Part, spec: &VmSpec) -> Vec<&Choice> {
        let (region, size) = (chosen(&spec.region), chosen(&spec.size));
        self.choices(part)
            .iter()
            .filter(|c| {
                region.is_none_or(|r| c.regions.is_empty() || c.regions.iter().any(|x| x == r))
            })
            .filter(|c| {
                part != Part::Configurations
                    || size.is_none_or(|s| c.of.as_deref().is_none_or(|of| of == s))
            })
            .collect()
    }

    /// Every part answered (or failed).
    pub fn is_loaded(&self) -> bool {
        !self.parts.is_empty()
            && self
                .parts
                .values()
                .all(|s| !matches!(s, PartState::Loading))
    }

    /// The error of a part that could not be read (a role refused, say).
    pub fn failure(&self) -> Option<&ApiError> {
        self.parts.values().find_map(|s| match s {
            PartState::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// Checks a new VM against the provider's catalogue and rules: every problem, by field.
    /// `vms` is how many VMs the connection lists, `names` their names.
    pub fn check(
        &self,
        spec: &VmSpec,
        caps: &Caps,
        names: &[&str],
        vms: usize,
    ) -> Vec<(Field, Refusal)> {
        let Some(create) = &caps.create else {
            let provider = caps.kind;
            return vec![(Field::Name, Refusal::NotOffered { provider })];
        };
        let mut out = self.name_problems(spec, create, names, vms);
        out.extend(self.choice_problems(spec, create));
        out.extend(self.configuration_problem(spec));
        out.extend(self.key_problems(spec));
        out
    }

    /// The name: well formed, and not taken where the provider finds a new VM by its name; and
    /// the account's VM limit, said at the name.
    fn name_problems(
        &self,
        spec: &VmSpec,
        create: &CreateCaps,
        names: &[&str],
        vms: usize,
    ) -> Vec<(Field, Refusal)> {
        let mut out = Vec::new();
        if let Err(r) = crate::model::check_name(&spec.name) {
            out.push((Field::Name, r));
        } else if create.finds_new_by_name && names.iter().any(|n| n.trim() == spec.name.trim()) {
            let name = spec.name.trim().to_string();
            out.push((Field::Name, Refusal::NameTaken { name }));
        }
        if let Some(limit) = self.vm_limit() {
            if vms as u64 >= limit {
                out.push((Field::Name, Refusal::VmLimitReached { limit }));
            }
        }
        out
    }

    /// What is chosen from the catalogue, field by field: the image, the region (or what stands
    /// for it), the size, and the network and security group where the provider requires them.
    fn choice_problems(&self, spec: &VmSpec, create: &CreateCaps) -> Vec<(Field, Refusal)> {
        let image = Some(spec.image.as_str());
        let mut chosen = vec![(
            Field::Image,
            self.pick(Part::Images, image, Refusal::ChooseImage),
        )];
        if let Some(place) = create.place {
            let missing = Refusal::ChooseRegion { place };
            let region = self.pick(Part::Regions, spec.region.as_deref(), missing);
            chosen.push((Field::Region, region));
        }
        chosen.extend(self.size_problems(spec, create.sizing));
        let network = spec.network.as_deref();
        let group = spec.security_group.as_deref();
        chosen.extend([
            (
                Field::Network,
                self.required(create.network_required, Part::Networks, network),
            ),
            (
                Field::SecurityGroup,
                self.required(create.security_group_required, Part::SecurityGroups, group),
            ),
        ]);
        chosen
            .into_iter()
            .filter_map(|(f, r)| r.map(|r| (f, r)))
            .collect()
    }

    /// The size: one of the catalogue's, or amounts within what the provider takes.
    fn size_problems(&self, spec: &VmSpec, sizing: Sizing) -> Vec<(Field, Option<Refusal>)> {
        match sizing {
            Sizing::Catalogue => {
                let size = spec.size.as_deref();
                vec![(
                    Field::Size,
                    self.pick(Part::Sizes, size, Refusal::ChooseSize),
                )]
            }
            Sizing::Amounts {
                max_vcpus,
                max_ram_mb,
            } => vec![
                (
                    Field::Amounts,
                    out_of_range(spec.vcpus, max_vcpus, Amount::Vcpus),
                ),
                (
                    Field::Amounts,
                    out_of_range(spec.ram_mb, max_ram_mb, Amount::RamMb),
                ),
            ],
        }
    }

    /// The configuration profile, where one is chosen: one the catalogue lists (when it lists
    /// any), and of the size chosen where it belongs to one.
    fn configuration_problem(&self, spec: &VmSpec) -> Option<(Field, Refusal)> {
        let part = Part::Configurations;
        let id = chosen(&spec.configuration)?;
        let listed = self.choices(part);
        let why = match listed.iter().find(|c| c.id == id) {
            None if listed.is_empty() => return None,
            None => Refusal::NotInCatalogue {
                part,
                value: id.to_string(),
            },
            Some(c) => {
                let size = chosen(&spec.size)?;
                if c.of.as_deref().is_none_or(|of| of == size) {
                    return None;
                }
                Refusal::OfAnother {
                    part,
                    value: c.label.clone(),
                    owner: Part::Sizes,
                }
            }
        };
        Some((Field::Configuration, why))
    }

    /// The SSH keys: each one the catalogue lists (when it lists any).
    fn key_problems(&self, spec: &VmSpec) -> Vec<(Field, Refusal)> {
        let keys = self.choices(Part::SshKeys);
        spec.ssh_keys
            .iter()
            .filter(|k| !keys.is_empty() && !keys.iter().any(|c| &c.id == *k))
            .map(|k| {
                let part = Part::SshKeys;
                let value = k.clone();
                (Field::SshKeys, Refusal::NotInCatalogue { part, value })
            })
            .collect()
    }

    /// One choice from `part`: `missing` when none is made, else one the catalogue lists (when it
    /// lists any).
    fn pick(&self, part: Part, value: Option<&str>, missing: Refusal) -> Option<Refusal> {
        let listed = self.choices(part);
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(missing),
            Some(v) if !listed.is_empty() && !listed.iter().any(|c| c.id == v) => {
                Some(Refusal::NotInCatalogue {
                    part,
                    value: v.to_string(),
                })
            }
            Some(_) => None,
        }
    }

    /// A choice from `part` the provider requires where `needed`.
    fn required(&self, needed: bool, part: Part, value: Option<&str>) -> Option<Refusal> {
        let none_chosen = Refusal::NotInCatalogue {
            part,
            value: String::new(),
        };
        needed
            .then(|| self.pick(part, value, none_chosen))
            .flatten()
    }
}

/// What is chosen in an optional field, if anything.
fn chosen(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// An amount typed where the provider has no sizes: from 1 to `max`.
fn out_of_range(value: Option<u32>, max: u64, amount: Amount) -> Option<Refusal> {
    match value {
        Some(n) if n >= 1 && u64::from(n) <= max => None,
        _ => Some(Refusal::OutOfRange {
            amount,
            min: 1,
            max,
        }),
    }
}
