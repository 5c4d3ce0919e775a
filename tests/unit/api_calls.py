"""Calls through the bridge for the API tests: the reply must succeed, or fail as bad input."""

from __future__ import annotations

from anomascope import api


def ok(type_: str, payload: dict) -> dict:
    reply = api.dispatch(type_, payload)
    assert reply["ok"], reply
    return reply["result"]


def err(type_: str, payload: dict) -> str:
    reply = api.dispatch(type_, payload)
    assert not reply["ok"] and reply["error"]["kind"] == "input", reply
    return reply["error"]["message"]
