use super::*;
use crate::syntax::yaml;
use crate::uses::ci::{Pipeline, steps};

fn workflow(text: &str) -> Vec<Step> {
    steps(
        Pipeline::GithubWorkflow,
        &yaml::first_root(text).unwrap(),
        text,
    )
}

#[test]
fn pushes_are_told_from_builds() {
    let text = "jobs:\n  a:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: ${{ github.event_name != 'pull_request' }}\n      - uses: docker/build-push-action@v6\n        with:\n          push: false\n      - run: |\n          docker build -t x .\n          sudo docker push x:1\n      - run: docker buildx build --output=type=registry -t x .\n      - run: ko build --local ./cmd/app\n      - run: skopeo copy oci:dir docker://reg/app:1\n      - run: echo docker push x\n";
    let found: Vec<Option<String>> = workflow(text)
        .iter()
        .map(|s| push(s).map(|(span, what)| format!("{what} {}", &text[span.range()])))
        .collect();
    assert_eq!(
        found,
        [
            Some("`docker/build-push-action` docker/build-push-action@v6".to_string()),
            None,
            Some("`docker push` docker push x:1".to_string()),
            Some(
                "`docker buildx build --push` docker buildx build --output=type=registry -t x ."
                    .to_string()
            ),
            None,
            Some("`skopeo copy` to `docker://` skopeo copy oci:dir docker://reg/app:1".to_string()),
            None,
        ]
    );
}

#[test]
fn scans_and_signs() {
    let text = "jobs:\n  a:\n    steps:\n      - uses: aquasecurity/trivy-action@0.28.0\n      - run: trivy image --exit-code 1 x\n      - uses: sigstore/cosign-installer@v3\n      - run: cosign sign --yes x@sha256:00\n      - uses: actions/attest-build-provenance@v2\n        with:\n          push-to-registry: true\n      - uses: actions/attest-build-provenance@v2\n      - run: cosign verify x\n";
    let steps = workflow(text);
    let scanned: Vec<bool> = steps.iter().map(scans).collect();
    let signed: Vec<bool> = steps.iter().map(signs).collect();
    assert_eq!(scanned, [true, true, false, false, false, false, false]);
    assert_eq!(signed, [false, false, false, true, true, false, false]);
}
