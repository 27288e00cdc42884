#!/bin/bash
# LocalStack ready hook: deploys Conveyor's template.yaml to this LocalStack as `sam deploy` deploys it to AWS.
#   1. the database credentials become a Secrets Manager secret (the functions read it at cold start);
#   2. `cloudformation package` uploads the functions' zips (their CodeUri) to an S3 bucket;
#   3. `cloudformation deploy` creates or updates the stack: the SAM transform, the queues, the functions,
#      the schema (the SchemaMigration custom resource runs the migrate-schema function against PostgreSQL),
#      the REST API with its API key and usage plan, the schedule;
#   4. the API's URL and key are printed and written to /tmp/conveyor/api.env (KEY=value lines).
# The repository is mounted read-only at /opt/conveyor.
set -euo pipefail

export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}

repo=${CONVEYOR_REPO:-/opt/conveyor}
stack=${CONVEYOR_STACK:-conveyor}
bucket=${stack}-artifacts
secret_name=${stack}/database
out=/tmp/conveyor

say() { echo "conveyor-localstack: $*"; }
fail() { say "FAILED: $*" >&2; exit 1; }

[[ -f $repo/template.yaml ]] || fail "no template.yaml in $repo: is the repository mounted (docker compose -f localstack/docker-compose.yml from its root)?"
mapfile -t zips < <(grep -o 'functions/[a-z-]*/target/conveyor-[a-z-]*\.zip' "$repo/template.yaml" | sort -u)
missing=()
for zip in "${zips[@]}"; do
  [[ -f $repo/$zip ]] || missing+=("$zip")
done
((${#missing[@]} == 0)) || fail "not built: ${missing[*]}. Run ./mvnw -DskipTests package, then docker compose -f localstack/docker-compose.yml restart localstack"
mkdir -p "$out"
rm -f "$out/api.env"

say "database secret $secret_name"
secret=$(CONVEYOR_DB_USER=${CONVEYOR_DB_USER:?} CONVEYOR_DB_PASSWORD=${CONVEYOR_DB_PASSWORD:?} python3 -c \
  'import json, os; print(json.dumps({"username": os.environ["CONVEYOR_DB_USER"], "password": os.environ["CONVEYOR_DB_PASSWORD"]}))')
if secret_arn=$(awslocal secretsmanager describe-secret --secret-id "$secret_name" --query ARN --output text 2>/dev/null); then
  awslocal secretsmanager put-secret-value --secret-id "$secret_name" --secret-string "$secret" >/dev/null
else
  secret_arn=$(awslocal secretsmanager create-secret --name "$secret_name" --secret-string "$secret" --query ARN --output text)
fi

say "packaging the functions into s3://$bucket"
awslocal s3api head-bucket --bucket "$bucket" >/dev/null 2>&1 || awslocal s3 mb "s3://$bucket" >/dev/null
awslocal cloudformation package --template-file "$repo/template.yaml" --s3-bucket "$bucket" \
  --output-template-file "$out/packaged.yaml" >/dev/null

say "deploying stack $stack (the first time pulls the java21 Lambda image: a few minutes)"
# Extra template parameters from CONVEYOR_PARAMETER_OVERRIDES: Name=Value pairs separated by ';' (values may
# hold spaces, e.g. "SweepSchedule=rate(5 minutes);LogLevel=DEBUG").
extra=()
IFS=';' read -r -a pairs <<<"${CONVEYOR_PARAMETER_OVERRIDES:-}"
for pair in "${pairs[@]}"; do
  [[ -n ${pair// /} ]] && extra+=("$pair")
done
awslocal cloudformation deploy --template-file "$out/packaged.yaml" --stack-name "$stack" \
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
  --parameter-overrides Store=jdbc "DatabaseUrl=${CONVEYOR_DB_URL:?}" "DatabaseSecretArn=$secret_arn" "${extra[@]}"

api_id=$(awslocal cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id ConveyorApi \
  --query StackResourceDetail.PhysicalResourceId --output text)
key_id=$(awslocal cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='ApiKeyId'].OutputValue" --output text)
api_key=$(awslocal apigateway get-api-key --api-key "$key_id" --include-value --query value --output text)
[[ -n $api_id && $api_id != None && -n $api_key && $api_key != None ]] || fail "the stack has no API or API key"

port=${CONVEYOR_LOCALSTACK_PORT:-4566}
api_url=http://localhost:$port/_aws/execute-api/$api_id/Prod
printf 'CONVEYOR_API_URL=%s\nCONVEYOR_API_KEY=%s\n' "$api_url" "$api_key" >"$out/api.env"

say "deployed."
cat <<EOF
================================================================================
  Conveyor is running on LocalStack.
  API:      $api_url
            (also http://$api_id.execute-api.localhost.localstack.cloud:$port/Prod)
  API key:  $api_key   (send it as x-api-key; GET /health needs none)
  Both, as shell variables:
    eval "\$(docker compose -f localstack/docker-compose.yml exec -T localstack cat $out/api.env)"
  The schema was applied by the stack's SchemaMigration custom resource.
================================================================================
EOF
