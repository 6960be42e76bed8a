#!/usr/bin/env bash
# Restores ONE user from point-in-time-recovered copies of the DynamoDB tables into the live tables: the user's journal
# and snapshot, and the claim of the user's email. See docs/operations.md ("Restore one user") for when and why.
#
#   AUTH_EMAIL_KEY=<Auth__EmailKey, base64> deploy/scripts/restore-user.sh \
#     --user-id 0b9...  --from-prefix userdata-r1-  [--to-prefix userdata-]  [--service-id userdata]
#
# The AWS CLI (v1 or v2) finds its credentials and region as usual; AWS_ENDPOINT_URL, when set, is passed to it as
# --endpoint-url (DynamoDB Local in tests; older CLIs do not read that variable themselves).
#
# The restore goes FORWARD, never rewinding the journal, so that an activation of the user still running on a silo can
# never write over it: the journal's appends are conditional puts at the writer's version + 1, so every sequence number
# up to the live end N, plus a fence item at N+1, stays taken. The copy's journal items are written at N+2..., the copy's
# snapshot at its version + N+1 (an empty state at N+1 when the copy has none), then the live items' events are erased as
# an erasure does (keys kept). A stale activation's next append conflicts; it then reads the events after its version,
# finds the hole at N+1, loads the snapshot that covers it and goes on from the restored state. A new activation starts
# from that snapshot. Reads of an activation that does not write stay stale until it deactivates: pass --reload with
# GATEWAY_URL and ADMIN_TOKEN (an admin's access token) to deactivate the user's grains at the end, or call
# POST /api/v1/admin/users/{id}/reload yourself. Running the script again restores again (forward again): it is safe to
# re-run after a failure at any step.
set -euo pipefail

usage() {
  sed -n '4,6p' "$0" >&2
  exit 2
}

user_id='' from_prefix='' to_prefix='userdata-' service_id='userdata' reload=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --user-id) user_id=${2:-}; shift 2 ;;
    --from-prefix) from_prefix=${2:-}; shift 2 ;;
    --to-prefix) to_prefix=${2:-}; shift 2 ;;
    --service-id) service_id=${2:-}; shift 2 ;;
    --reload) reload=true; shift ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[[ -n $user_id && -n $from_prefix ]] || usage
[[ $user_id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || { echo "--user-id must be a user id (a GUID)" >&2; exit 2; }
[[ $from_prefix != "$to_prefix" ]] || { echo "--from-prefix and --to-prefix name the same tables" >&2; exit 2; }
[[ -n ${AUTH_EMAIL_KEY:-} ]] || { echo "AUTH_EMAIL_KEY (the gateway's Auth__EmailKey) is required to find the email's claim" >&2; exit 2; }
if $reload; then
  [[ -n ${GATEWAY_URL:-} && -n ${ADMIN_TOKEN:-} ]] || { echo "--reload needs GATEWAY_URL and ADMIN_TOKEN" >&2; exit 2; }
fi

stream="user/$user_id"
run_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
log() { echo "restore-user: $*" >&2; }
ddb() { AWS_PAGER='' aws dynamodb "$@" --output json ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"}; }

# Every journal item of the stream (the CLI follows the pages), oldest first.
journal_items() {
  ddb query --table-name "$1journal" --consistent-read \
    --key-condition-expression '#s = :s' --expression-attribute-names '{"#s":"stream"}' \
    --expression-attribute-values "$(jq -nc --arg s "$stream" '{":s": {S: $s}}')" | jq -c '.Items | sort_by(.seq.N | tonumber) | .[]'
}

live_end() {
  ddb query --table-name "${to_prefix}journal" --consistent-read --no-scan-index-forward --max-items 1 \
    --key-condition-expression '#s = :s' --expression-attribute-names '{"#s":"stream"}' \
    --expression-attribute-values "$(jq -nc --arg s "$stream" '{":s": {S: $s}}')" | jq -r '.Items[0].last_seq.N // "0"'
}

# 1. What the copy holds: a registered user, none of its events erased.
copy_items=$(journal_items "$from_prefix")
[[ -n $copy_items ]] || { log "the copy ${from_prefix}journal has no journal for $stream"; exit 3; }
if jq -e 'select(.events == null or any(.events.L[]; .NULL == true))' <<<"$copy_items" >/dev/null; then
  log "the copy holds $stream erased: restore from a copy made before the erasure"; exit 3
fi
email=$(jq -r '.events.L[].S | fromjson | select(.type == "user.registered") | .email' <<<"$copy_items" | head -n1)
[[ -n $email ]] || { log "the copy's journal of $stream has no registration"; exit 3; }
copy_snapshot=$(ddb get-item --table-name "${from_prefix}snapshots" --consistent-read \
  --key "$(jq -nc --arg s "$stream" '{stream: {S: $s}, part: {S: "head"}}')" | jq -c '.Item // empty')

# 2. The email's claim: the copy's, unless another account claims that email now.
email_key=$(printf %s "$email" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(base64 -d <<<"$AUTH_EMAIL_KEY" | od -An -v -tx1 | tr -d ' \n')" | awk '{print $NF}')
claim_key=$(jq -nc --arg pk "$service_id/email/$email_key" '{pk: {S: $pk}, sk: {S: "claim"}}')
copy_claim=$(ddb get-item --table-name "${from_prefix}grain-state" --consistent-read --key "$claim_key" | jq -c '.Item // empty')
[[ -n $copy_claim ]] || { log "the copy ${from_prefix}grain-state has no claim for the user's email (is AUTH_EMAIL_KEY the gateway's?)"; exit 3; }
live_claim=$(ddb get-item --table-name "${to_prefix}grain-state" --consistent-read --key "$claim_key" | jq -c '.Item // empty')
live_owner=''
if [[ -n $live_claim ]]; then
  live_owner=$(jq -r '.data.S // "{}" | fromjson | .UserId // .userId // .user_id // empty' <<<"$live_claim")
fi
if [[ -n $live_owner && $live_owner != "$user_id" ]]; then
  log "the email of $stream is claimed by another account ($live_owner) since: not restored"; exit 4
fi

# 3. The fence at N+1: from here on no activation can append to the live journal.
for attempt in 1 2 3 4 5; do
  end=$(live_end)
  fence=$((end + 1))
  if ddb put-item --table-name "${to_prefix}journal" --condition-expression 'attribute_not_exists(#s)' \
      --expression-attribute-names '{"#s":"stream"}' \
      --item "$(jq -nc --arg s "$stream" --arg seq "$fence" --arg at "$(now)" --arg id "restore-fence-$run_id" \
        '{stream: {S: $s}, seq: {N: $seq}, last_seq: {N: $seq}, written_at: {S: $at}, append_id: {S: $id}}')" >/dev/null 2>/tmp/restore-user.$$; then
    break
  fi
  grep -q ConditionalCheckFailed /tmp/restore-user.$$ || { cat /tmp/restore-user.$$ >&2; rm -f /tmp/restore-user.$$; exit 1; }
  [[ $attempt -lt 5 ]] || { log "the live journal of $stream kept moving; try again"; rm -f /tmp/restore-user.$$; exit 1; }
done
rm -f /tmp/restore-user.$$
shift_by=$fence
log "live journal of $stream ends at $end; fence at $fence; the copy's events go to $((fence + 1))..."

# 4. The copy's journal items, shifted past the fence.
while IFS= read -r item; do
  ddb put-item --table-name "${to_prefix}journal" --condition-expression 'attribute_not_exists(#s)' \
    --expression-attribute-names '{"#s":"stream"}' \
    --item "$(jq -c --argjson d "$shift_by" --arg id "restore-$run_id-" \
      '.seq.N = ((.seq.N | tonumber) + $d | tostring) | .last_seq.N = ((.last_seq.N | tonumber) + $d | tostring)
       | .append_id.S = $id + .append_id.S' <<<"$item")" >/dev/null
done <<<"$copy_items"

# 5. The snapshot covering the fence: the copy's, shifted, or the empty state at the fence. The state counts the events
# it has applied and keeps the sequence numbers of its audit marks: both move with the events.
write_id="restore-$run_id"
shift_state='.applied_events = ((.applied_events // 0) + $d) | .audit_marks = [(.audit_marks // [])[] + $d]'
if [[ -n $copy_snapshot ]]; then
  version=$(($(jq -r '.version.N' <<<"$copy_snapshot") + shift_by))
  if [[ $(jq -r '.encoding.S' <<<"$copy_snapshot") == gzip ]]; then
    old_prefix=$(jq -r '"v" + (.version.N | ("0" * (19 - length)) + .) + "#" + .write_id.S + "#"' <<<"$copy_snapshot")
    state=$(ddb query --table-name "${from_prefix}snapshots" --consistent-read \
      --key-condition-expression '#s = :s AND begins_with(#p, :p)' --expression-attribute-names '{"#s":"stream","#p":"part"}' \
      --expression-attribute-values "$(jq -nc --arg s "$stream" --arg p "$old_prefix" '{":s": {S: $s}, ":p": {S: $p}}')" |
      jq -r '.Items | sort_by(.part.S) | .[].data.B' | while IFS= read -r chunk; do base64 -d <<<"$chunk"; done | gunzip)
  else
    state=$(jq -r '.json.S' <<<"$copy_snapshot")
  fi
else
  version=$fence
  state='{}'
fi
state=$(jq -c --argjson d "$shift_by" "$shift_state" <<<"$state")
head_item=$(jq -nc --arg s "$stream" --arg v "$version" --arg id "$write_id" --arg at "$(now)" \
  '{stream: {S: $s}, part: {S: "head"}, version: {N: $v}, written_at: {S: $at}, write_id: {S: $id}}')
if [[ $(printf %s "$state" | wc -c) -le $((350 * 1024)) ]]; then
  head_item=$(jq -c --arg j "$state" '.encoding.S = "json" | .json.S = $j' <<<"$head_item")
else
  # As the provider stores a large state: gzip, in chunks of 350 KB under the head's version and write id.
  chunk_dir=$(mktemp -d)
  trap 'rm -rf "$chunk_dir"' EXIT
  printf %s "$state" | gzip -c | split -b $((350 * 1024)) -d -a 5 - "$chunk_dir/"
  chunks=0
  for file in "$chunk_dir"/*; do
    ddb put-item --table-name "${to_prefix}snapshots" --item "$(jq -nc --arg s "$stream" \
      --arg p "$(printf 'v%019d#%s#%05d' "$version" "$write_id" "$chunks")" --arg b "$(base64 -w0 "$file")" \
      '{stream: {S: $s}, part: {S: $p}, data: {B: $b}}')" >/dev/null
    chunks=$((chunks + 1))
  done
  head_item=$(jq -c --arg n "$chunks" '.encoding.S = "gzip" | .chunks.N = $n' <<<"$head_item")
fi
ddb put-item --table-name "${to_prefix}snapshots" --item "$head_item" \
  --condition-expression 'attribute_not_exists(#s) OR #v < :v' --expression-attribute-names '{"#s":"stream","#v":"version"}' \
  --expression-attribute-values "$(jq -nc --arg v "$version" '{":v": {N: $v}}')" >/dev/null
log "snapshot of $stream at version $version"

# 6. The live events before the fence are superseded: erased as an erasure does, keys kept (they fence writers).
while IFS= read -r key; do
  [[ -n $key ]] || continue
  ddb update-item --table-name "${to_prefix}journal" --key "$key" --update-expression 'REMOVE #e' \
    --condition-expression 'attribute_exists(#s)' --expression-attribute-names '{"#e":"events","#s":"stream"}' >/dev/null
done < <(journal_items "$to_prefix" | jq -c --argjson f "$fence" 'select((.seq.N | tonumber) < $f and .events != null) | {stream, seq}')

# 7. The claim, with a new ETag so that no activation of the email's grain holding the live one can write over it.
claim_condition='attribute_not_exists(pk)' claim_values='{}'
if [[ -n $live_claim ]]; then
  claim_condition='#etag = :etag'
  claim_values=$(jq -c '{":etag": .etag}' <<<"$live_claim")
fi
ddb put-item --table-name "${to_prefix}grain-state" \
  --item "$(jq -c --arg e "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" '.etag.S = $e' <<<"$copy_claim")" \
  --condition-expression "$claim_condition" \
  ${live_claim:+--expression-attribute-names '{"#etag":"etag"}'} \
  ${live_claim:+--expression-attribute-values "$claim_values"} >/dev/null
log "claim of the user's email restored"

# 8. Fresh reads: deactivate the user's grains, or say how.
if $reload; then
  curl -fsS -X POST -H "Authorization: Bearer $ADMIN_TOKEN" "${GATEWAY_URL%/}/api/v1/admin/users/$user_id/reload" >/dev/null
  log "grains of $stream deactivated: the next call reads the restored data"
else
  log "done; now POST /api/v1/admin/users/$user_id/reload (as an admin) so that activations read the restored data"
fi
