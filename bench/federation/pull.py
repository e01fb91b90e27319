#!/usr/bin/env python3
"""Hub pull of 30 clients across 3 member instances (issue #21), driven over HTTP only; prints figures, asserts nothing.

  pull.py HUB_URL MEMBER_URL... [--clients-per-member 10] [--leads-per-client 5] [--runs 3] [--baseline 20]

On each member: CLIENTS client businesses (provider API), each with LEADS leads created by its owner, and a key for the
hub (hmac-sha256 shared secrets the member generates; the last member an ed25519 key pair, only its public key on the
member). On the hub: the members registered with those keys. Baseline: one signed GET of a member's
/api/v1/federation/clients from here (signed from docs/federation-signatures.md), the bare network + signature round trip.
Figure: POST /admin/functions/PullFederationMembers (the scheduled durable pull, run now) until the hub's provider
console shows every remote client fresh (its member healthy, last success after the start), and for each member when
the hub recorded its answer (its lastSuccessAt less the start; server clock, same machine) and the lag the console shows.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, PrivateFormat, NoEncryption

PASSWORD = "correct horse battery staple"


def call(base, method, path, token=None, body=None, headers=None, expect=(200, 201, 202)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status not in expect:
        sys.exit(f"bench: {method} {base}{path} answered {status}: {text[:500]}")
    return json.loads(text) if text else None


def operator_login(base, system):
    prefix = "STREAMFLOW_PROVIDER_" if system == "provider" else "STREAMFLOW_DEV_"
    answer = call(base, "POST", f"/api/v1/{system}/auth/login", body={"email": os.environ[prefix + "EMAIL"], "password": os.environ[prefix + "PASSWORD"]})
    return answer["accessToken"]


def b64url(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signed_get(url, key_id, algorithm, key):
    """One signed GET exactly as docs/federation-signatures.md describes it; answers the seconds it took."""
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(b"").digest()).decode() + ":"
    created = int(time.time())
    params = (f'("@method" "@target-uri" "content-digest");created={created};expires={created + 60}'
              f';nonce="{uuid.uuid4().hex}";keyid="{key_id}";alg="{algorithm}"')
    signature_base = f'"@method": GET\n"@target-uri": {url}\n"content-digest": {digest}\n"@signature-params": {params}'.encode("ascii")
    signature = hmac.new(key, signature_base, hashlib.sha256).digest() if algorithm == "hmac-sha256" else key.sign(signature_base)
    request = urllib.request.Request(url, method="GET", headers={
        "Content-Digest": digest, "Signature-Input": "sf=" + params, "Signature": "sf=:" + base64.b64encode(signature).decode() + ":"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    return time.perf_counter() - started, len(body["clients"])


def seed_member(url, clients, leads):
    provider = operator_login(url, "provider")
    for _ in range(clients):
        slug = "fed-" + uuid.uuid4().hex[:12]
        owner = f"owner@{slug}.example.com"
        call(url, "POST", "/api/v1/provider/tenants", provider, {
            "name": f"Business {slug}", "slug": slug, "industry": "hvac",
            "owner": {"email": owner, "name": "Olive Owner", "password": PASSWORD}, "applyTemplate": False})
        token = call(url, "POST", "/api/v1/auth/login", body={"tenant": slug, "email": owner, "password": PASSWORD})["accessToken"]
        for i in range(leads):
            call(url, "POST", "/api/v1/leads", token, {"firstName": "Lead", "lastName": str(i), "email": f"lead{i}-{uuid.uuid4().hex[:8]}@example.com", "source": "web"})
    return provider


def register_key(url, provider, key_id, ed25519):
    if ed25519:
        private = Ed25519PrivateKey.generate()
        public = b64url(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        call(url, "POST", "/api/v1/provider/federation/keys", provider, {"keyId": key_id, "peerName": "Bench hub", "algorithm": "ed25519", "publicKey": public})
        return "ed25519", private
    answer = call(url, "POST", "/api/v1/provider/federation/keys", provider, {"keyId": key_id, "peerName": "Bench hub", "algorithm": "hmac-sha256"})
    return "hmac-sha256", base64.b64decode(answer["sharedSecret"])


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def wait_for_next_slot():
    """The scheduled pull names its instances by minute: a second firing in the same minute pulls nothing."""
    time.sleep(61 - datetime.now(timezone.utc).second)


def timed_pull(hub, hub_provider, developer, member_ids, expected_clients):
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    call(hub, "POST", "/admin/functions/PullFederationMembers", developer)
    while True:
        console = call(hub, "GET", "/api/v1/provider/federation/clients", hub_provider)
        elapsed = time.perf_counter() - started
        members = {m["id"]: m for m in console["members"] if m["id"] in member_ids}
        fresh_members = {i for i, m in members.items() if m["health"] == "healthy" and parse_time(m["lastSuccessAt"]) >= started_at}
        fresh_clients = [c for c in console["clients"] if c.get("memberId") in fresh_members and not c["stale"]]
        if len(fresh_clients) >= expected_clients:
            pulled_after = {i: (parse_time(members[i]["lastSuccessAt"]) - started_at).total_seconds() for i in fresh_members}
            return elapsed, len(fresh_clients), pulled_after, members
        if elapsed > 600:
            sys.exit(f"bench: after {elapsed:.0f} s the console shows {len(fresh_clients)} of {expected_clients} remote clients fresh: "
                     + json.dumps(list(members.values()))[:2000])
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hub")
    parser.add_argument("members", nargs="+")
    parser.add_argument("--clients-per-member", type=int, default=10)
    parser.add_argument("--leads-per-client", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=20)
    args = parser.parse_args()

    hub_provider = operator_login(args.hub, "provider")
    developer = operator_login(args.hub, "dev")
    registered = {}
    seeding = time.perf_counter()
    for index, url in enumerate(args.members, start=1):
        provider = seed_member(url, args.clients_per_member, args.leads_per_client)
        key_id = f"bench-hub-m{index}-{uuid.uuid4().hex[:6]}"
        algorithm, key = register_key(url, provider, key_id, ed25519=index == len(args.members))
        registration = {"name": f"Member {index}", "baseUrl": url.rstrip("/") + "/", "keyId": key_id, "algorithm": algorithm}
        if algorithm == "ed25519":
            registration["privateKey"] = b64url(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
        else:
            registration["sharedSecret"] = base64.b64encode(key).decode()
        member = call(args.hub, "POST", "/api/v1/provider/federation/members", hub_provider, registration)
        registered[member["id"]] = (f"Member {index}", url, key_id, algorithm, key)
    expected = args.clients_per_member * len(args.members)
    print(f"seeded {len(args.members)} members x {args.clients_per_member} clients x {args.leads_per_client} leads in {time.perf_counter() - seeding:.1f} s")

    print(f"\nbaseline (load {' '.join(f'{x:.2f}' for x in os.getloadavg())}): one signed GET /api/v1/federation/clients of a member ({args.clients_per_member} clients), from this script, {args.baseline} times per member")
    for name, url, key_id, algorithm, key in registered.values():
        samples = [signed_get(url.rstrip("/") + "/api/v1/federation/clients", key_id, algorithm, key)[0] for _ in range(args.baseline)]
        print(f"  {name} ({algorithm}): p50 {statistics.median(samples) * 1000:.1f} ms, min {min(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms")

    print(f"\nhub pull of {expected} clients across {len(args.members)} members: POST /admin/functions/PullFederationMembers (durable, one orchestration per member) "
          f"until the console shows all {expected} remote clients fresh")
    totals = []
    for run in range(1, args.runs + 1):
        wait_for_next_slot()
        elapsed, shown, pulled_after, members = timed_pull(args.hub, hub_provider, developer, set(registered), expected)
        totals.append(elapsed)
        per_member = ", ".join(f"{registered[i][0]} recorded at +{pulled_after[i]:.2f} s (console lag {members[i]['lagSeconds']} s)"
                               for i in sorted(pulled_after, key=pulled_after.get))
        print(f"  run {run} (load {' '.join(f'{x:.2f}' for x in os.getloadavg())}): {shown} clients fresh after {elapsed:.2f} s; {per_member}")
    print(f"  wall time from the start of the pull: median {statistics.median(totals):.2f} s, max {max(totals):.2f} s over {len(totals)} runs (target < 10 s)")


if __name__ == "__main__":
    main()
