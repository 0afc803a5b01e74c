"""The service API v1 bodies, built and read without a server."""

from __future__ import annotations

import json

from ma_widgets.services.modelarts import create_body, events_from, service_from
from ma_widgets.services.modelarts_models import apis_from, facts_from


def test_a_real_time_create_body_has_one_weighted_entry():
    body = create_body("m-1", "real-time", "svc", instances=2)
    assert body == {
        "service_name": "svc",
        "infer_type": "real-time",
        "config": [
            {
                "model_id": "m-1",
                "specification": "modelarts.vm.cpu.2u",
                "instance_count": 2,
                "weight": 100,
            }
        ],
    }


def test_a_batch_create_body_carries_folders_api_and_file_mapping():
    body = create_body(
        "m-1", "batch", "b", input_dir="obs://in/", output_dir="obs://out/", req_uri="/predict"
    )
    entry = body["config"][0]
    assert "weight" not in entry
    assert entry["src_path"] == "obs://in/" and entry["dest_path"] == "obs://out/"
    assert entry["req_uri"] == "/predict" and entry["mapping_type"] == "file"


def test_a_show_answer_becomes_a_service():
    data = {
        "service_id": "s-1",
        "service_name": "svc",
        "infer_type": "real-time",
        "status": "failed",
        "error_msg": "Service deployment timed out",
        "access_address": "https://gw/v1/infers/s-1",
        "publish_at": 1700000000123,
        "update_time": 1700000005000,
        "config": [
            {"model_id": "m-1", "model_name": "m", "model_version": "0.0.1", "instance_count": 3}
        ],
    }
    service = service_from(data)
    assert (service.service_id, service.name, service.status) == ("s-1", "svc", "failed")
    assert service.reason == "Service deployment timed out"
    assert service.access_address == "https://gw/v1/infers/s-1"
    assert (service.model_id, service.model_name, service.model_version) == ("m-1", "m", "0.0.1")
    assert service.instances == 3
    assert service.created_at == 1700000000.123 and service.updated_at == 1700000005.0
    assert service.backend == "modelarts"


def test_a_list_entry_without_config_still_reads():
    service = service_from({"service_id": "s", "service_name": "n", "status": "running"})
    assert service.model_id == "" and service.access_address is None


def test_events_are_read_oldest_first_with_their_kind():
    events = events_from(
        {
            "events": [
                {"event_type": "abnormal", "event_info": "failed", "occur_time": 3000},
                {"event_type": "normal", "event_info": "start", "occur_time": 1000},
                "not an event",
            ]
        }
    )
    assert [(e.kind, e.message, e.at) for e in events] == [
        ("normal", "start", 1.0),
        ("abnormal", "failed", 3.0),
    ]


def test_model_details_give_the_deploy_facts_with_apis_from_a_json_string():
    apis = [
        {
            "protocol": "http",
            "url": "/predict",
            "method": "POST",
            "request": {"Content-type": "application/json", "data": {"type": "object"}},
            "response": {"Content-type": "application/json", "data": {"type": "object"}},
        },
        {"url": "/bare", "method": "post"},
        {"url": 7},
    ]
    facts = facts_from(
        {
            "model_id": "m",
            "model_name": "n",
            "model_version": "0.0.1",
            "model_status": "published",
            "install_type": ["real-time", "batch"],
            "apis": json.dumps(apis),
        }
    )
    assert facts.deployment_types == ("real-time", "batch")
    assert [a.url for a in facts.apis] == ["/predict", "/bare"]
    assert facts.apis[0].request is not None and facts.apis[1].request is None


def test_unreadable_apis_are_none():
    assert apis_from("not json") == ()
    assert apis_from(None) == ()
