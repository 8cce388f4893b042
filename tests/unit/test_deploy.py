"""The deployment files agree with the code: every variable they set is a
setting, every probe path is a route, every file the image copies exists."""

from __future__ import annotations

import re

import yaml

from bot.core.settings import DEFAULTS, ROOT

DEPLOY = ROOT / "deploy"


def manifests() -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / "k8s" / "therapy-faq.yaml").read_text()) if d]


def test_configmap_sets_only_known_settings() -> None:
    config = next(d for d in manifests() if d["kind"] == "ConfigMap")
    assert set(config["data"]) <= set(DEFAULTS), set(config["data"]) - set(DEFAULTS)


def test_rasa_probes_use_the_health_channel() -> None:
    rasa = next(d for d in manifests() if d["kind"] == "Deployment" and d["metadata"]["name"].endswith("rasa"))
    container = rasa["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/webhooks/health/ready"
    assert "bot.channels.health.HealthInput" in (ROOT / "credentials.yml").read_text()
    assert rasa["spec"]["replicas"] >= 2


def test_every_service_selects_a_deployment() -> None:
    docs = manifests()
    labels = [d["spec"]["template"]["metadata"]["labels"] for d in docs if d["kind"] == "Deployment"]
    for svc in (d for d in docs if d["kind"] == "Service"):
        assert any(svc["spec"]["selector"].items() <= lab.items() for lab in labels), svc["metadata"]["name"]


def test_the_image_copies_files_that_exist() -> None:
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                if not src.startswith(("models/", "var/")):  # built by `make train` / `make spacy`
                    assert (ROOT / src).exists(), src


def test_nginx_routes_sockets_rest_and_platforms_with_affinity() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"upstream rasa_by_conversation \{\s*hash \$conversation consistent;", conf)
    assert re.search(r"upstream rasa_socketio \{\s*hash \$remote_addr consistent;", conf)
    assert "backup;" in conf and "$request_body" not in conf


def test_every_rasa_process_starts_through_the_projects_entry_point() -> None:
    # bot.runtime.rasa_cli turns Rasa's crash reporter off and applies RASA_WORKERS and
    # the hot-path fixes; a bare `rasa` command would silently skip all three.
    commands = [
        c["command"]
        for d in manifests() if d["kind"] == "Deployment"
        for c in d["spec"]["template"]["spec"]["containers"]
    ]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    commands.append(yaml.safe_load(re.search(r"^CMD (.+)$", dockerfile, re.M).group(1)))
    rasa_commands = [c for c in commands if "run" in c]
    assert len(rasa_commands) >= 3  # the Rasa server twice (image default, manifest) and the action server
    for command in rasa_commands:
        assert command[:3] == ["python", "-m", "bot.runtime.rasa_cli"], command
    assert "RASA_WORKERS=1" in dockerfile  # one worker per pod: Kubernetes scales by pods
