//! `registry-policy-missing`: workloads, but no admission policy that restricts registries.

use crate::findings::finding::{Finding, Level, Subject};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts};

pub(crate) struct RegistryPolicyMissing;

static META: RuleMeta = RuleMeta {
    id: "registry-policy-missing",
    name: "RegistryPolicyMissing",
    level: Level::Note,
    summary: "The scanned set has workloads but no admission policy that restricts image registries.",
    hint: "Add a policy that admits only your registries (Kyverno, Gatekeeper K8sAllowedRepos, ValidatingAdmissionPolicy).",
    precision: "medium",
    security_severity: "3.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/registry-policy-missing.md"),
};

impl Rule for RegistryPolicyMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _: &Context, out: &mut Vec<Finding>) {
        let inventory = scan.inventory;
        let Some(workload) = &inventory.first_workload else {
            return;
        };
        if !inventory.registry_policies.is_empty() {
            return;
        }
        out.push(Finding::at(
            &META,
            workload.location,
            Subject::Object {
                object: workload.object.clone(),
                document: workload.document,
                key_path: "kind".to_string(),
                container: None,
            },
            format!(
                "the scanned workloads (this {} is the first) run without an admission policy that restricts image registries: nothing in the cluster stops an image from anywhere",
                workload.object.kind
            ),
        ));
    }
}
