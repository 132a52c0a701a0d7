"""The merge template that turns Chalice's single-function SAM output into one function per router.

Chalice serves every route from one ``APIHandler`` (its maintainers decline to split it,
aws/chalice#229). ``chalice package --merge-template`` deep-merges this document into its output:

* every router gets its own ``AWS::Serverless::Function`` (same code, ``ROUTER=<name>``) and
  permission to be invoked by the REST API; the ``system`` router keeps ``APIHandler``;
* each path's API Gateway integration is pointed at its router's function;
* the task queue and its dead-letter queue (5 receives, visibility 6x the worker's timeout), and
  the worker's event source with ``FunctionResponseTypes: [ReportBatchItemFailures]``, which
  Chalice cannot set (aws/chalice#2029);
* the buckets, the SES sender identity, and a role policy with what the code calls;
* the stage's environment on every function (``STAGE``, ``SECRETS_SSM_PATH``, the queue names),
  and the non-secret settings a deployed function needs as template parameters. Secrets
  (``JWT_SECRET``, ``DATABASE_URL``, ``REDIS_URL`` ...) are read from SSM under
  ``SECRETS_SSM_PATH`` (``layers/core/settings.py``), never put in the template.

Everything is derived from the app's registered routes and event sources, never from a list.
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from infra.build.layers import ARCHITECTURE, RUNTIME, snapstart
from infra.local.aws_resources import MAX_RECEIVES

API_HANDLER_ROUTER = "system"
DEFAULT_MEMORY = 512
DEFAULT_TIMEOUT = 30
AUTH_ONLY_ROLE = "AuthOnlyRole"
# SnapStart applies to published versions only: these functions publish one per deploy under this
# alias, and API Gateway, SQS and the schedules invoke the alias (SAM names it <Function>Alias<name>).
ALIAS = "live"


def alias_resource(logical: str) -> str:
    return f"{logical}Alias{ALIAS}"


def layer_resource(name: str) -> str:
    return f"{name.capitalize()}Layer"


def layer_version(name: str, content_hash: str, content_uri: str, description: str) -> dict[str, Any]:
    # Named by content: a changed lock publishes a new layer version, an unchanged one none.
    return {"Type": "AWS::Serverless::LayerVersion", "Properties": {
        "LayerName": {"Fn::Sub": f"${{AWS::StackName}}-{name}"},
        "Description": f"{description} ({content_hash})"[:256],
        "ContentUri": content_uri,
        "CompatibleRuntimes": [RUNTIME],
        "CompatibleArchitectures": [ARCHITECTURE],
        "RetentionPolicy": "Delete",
    }}


def snapstart_properties() -> dict[str, Any]:
    return {"AutoPublishAlias": ALIAS, "SnapStart": {"ApplyOn": "PublishedVersions"}}


def resource_name(name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(name)


def build(app: Any, routes: list[Any], config: dict[str, Any], stage: str) -> dict[str, Any]:
    stage_cfg = config.get("stages", {}).get(stage, {})
    functions_cfg = stage_cfg.get("lambda_functions", {})
    by_router: dict[str, list[Any]] = defaultdict(list)
    for spec in routes:
        by_router[spec.router].append(spec)

    resources: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    shared_env = {**stage_cfg.get("environment_variables", {}), **_shared_environment()}
    for router, specs in sorted(by_router.items()):
        logical = "APIHandler" if router == API_HANDLER_ROUTER else f"{resource_name(router)}Router"
        settings = functions_cfg.get(router, {})
        resources[logical] = _router_function(router, settings, shared_env, logical == "APIHandler", config)
        target = f"{logical}.Arn"
        if snapstart(router):
            resources[logical]["Properties"].update(snapstart_properties())
            target = alias_resource(logical)
        if logical != "APIHandler":
            resources[f"{logical}InvokePermission"] = _invoke_permission(
                {"Ref": target} if snapstart(router) else {"Fn::GetAtt": [logical, "Arn"]})
        for spec in specs:
            integration = {"uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/"
                                              f"2015-03-31/functions/${{{target}}}/invocations"}}
            paths.setdefault(spec.path, {})[spec.method.lower()] = {"x-amazon-apigateway-integration": integration}
    resources["RestAPI"] = {"Properties": {"DefinitionBody": {"paths": paths},
                                           "GatewayResponses": _gateway_responses()}}
    resources.update(_queues(functions_cfg, stage_cfg.get("environment_variables", {})))
    resources.update(_buckets())
    resources["SenderIdentity"] = {"Type": "AWS::SES::EmailIdentity",
                                   "Properties": {"EmailIdentity": {"Ref": "EmailSender"}}}
    resources.update(_event_functions(app, shared_env))
    resources["DefaultRole"] = {"Properties": {"Policies": [_policy()]}}
    resources[AUTH_ONLY_ROLE] = _auth_only_role()
    return {"Parameters": PARAMETERS, "Resources": resources, "Outputs": {
        "TasksQueueUrl": {"Value": {"Ref": "TasksQueue"}},
        "TasksDeadLetterQueueUrl": {"Value": {"Ref": "TasksDeadLetterQueue"}},
    }}


# Settings that differ per deployment but are not secrets: ``--parameter-overrides Name=value``.
PARAMETERS: dict[str, Any] = {
    "EmailSender": {"Type": "String", "Default": "no-reply@example.com",
                    "Description": "SES sender address (EMAIL_SENDER); the stack creates its identity"},
    "FrontendOrigin": {"Type": "String", "Default": "http://localhost:3000",
                       "Description": "CORS origin and base of links in emails (FRONTEND_ORIGIN)"},
    "AdminEmails": {"Type": "String", "Default": "",
                    "Description": "Comma-separated addresses that get the admin role (ADMIN_EMAILS)"},
    # Not derived from the RestAPI: its definition already refers to every function (a cycle).
    "PublicApiUrl": {"Type": "String", "Default": "https://api.example.com",
                     "Description": "Public base URL of this API for links in feeds and emails (PUBLIC_API_URL)"},
}


def _shared_environment() -> dict[str, Any]:
    return {
        "UPLOADS_BUCKET": {"Ref": "UploadsBucket"},
        "SITE_BUCKET": {"Ref": "SiteBucket"},
        "EMAIL_SENDER": {"Ref": "EmailSender"},
        "FRONTEND_ORIGIN": {"Ref": "FrontendOrigin"},
        "ADMIN_EMAILS": {"Ref": "AdminEmails"},
        "PUBLIC_API_URL": {"Ref": "PublicApiUrl"},
    }


def _router_function(router: str, settings: dict[str, Any], env: dict[str, Any], is_api_handler: bool,
                     config: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "Environment": {"Variables": {**env, "ROUTER": router}},
        "MemorySize": settings.get("lambda_memory_size", config.get("lambda_memory_size", DEFAULT_MEMORY)),
        "Timeout": settings.get("lambda_timeout", config.get("lambda_timeout", DEFAULT_TIMEOUT)),
    }
    if is_api_handler:
        return {"Properties": props}
    props.update({
        "Runtime": RUNTIME,
        "Handler": "app.app",
        "CodeUri": "./deployment.zip",
        "Tracing": "PassThrough",
        # A router may name its own role ("role" in .chalice/config.json): the code router's
        # function runs untrusted code and gets only what authenticating callers needs.
        "Role": {"Fn::GetAtt": [settings.get("role", "DefaultRole"), "Arn"]},
    })
    if "reserved_concurrency" in settings:
        props["ReservedConcurrentExecutions"] = settings["reserved_concurrency"]
    return {"Type": "AWS::Serverless::Function", "Properties": props}


def _gateway_responses() -> dict[str, Any]:
    """Errors API Gateway answers itself (no route, throttled) in the contract's ``{"detail"}`` shape."""
    def response(status: int | None, detail: str) -> dict[str, Any]:
        out: dict[str, Any] = {"ResponseTemplates": {"application/json": json.dumps({"detail": detail})}}
        if status:
            out["StatusCode"] = status
        return out

    return {
        "MISSING_AUTHENTICATION_TOKEN": response(404, "Not Found"),  # API Gateway's answer for no route
        "DEFAULT_4XX": response(None, "Bad Request"),
        "DEFAULT_5XX": response(None, "Internal Server Error"),
        "THROTTLED": response(429, "Too Many Requests"),
    }


def _invoke_permission(function: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Permission", "Properties": {
        "FunctionName": function,
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPI}/*"},
    }}


def _worker_timeout(functions_cfg: dict[str, Any]) -> int:
    return int(functions_cfg.get("task_worker", {}).get("lambda_timeout", DEFAULT_TIMEOUT))


def _queues(functions_cfg: dict[str, Any], stage_env: dict[str, str]) -> dict[str, Any]:
    # Named from the stage's TASKS_QUEUE_NAME: Chalice builds the worker's event source ARN from
    # that name, and a deep merge cannot replace its Fn::Sub with a Fn::GetAtt.
    return {
        "TasksDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": stage_env["TASKS_DLQ_NAME"], "MessageRetentionPeriod": 1209600}},
        "TasksQueue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": stage_env["TASKS_QUEUE_NAME"],
            # At least six times the worker's timeout, as AWS advises for SQS event sources.
            "VisibilityTimeout": 6 * _worker_timeout(functions_cfg),
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["TasksDeadLetterQueue", "Arn"]},
                              "maxReceiveCount": MAX_RECEIVES},
        }},
    }


def _buckets() -> dict[str, Any]:
    private = {"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}
    return {"UploadsBucket": {"Type": "AWS::S3::Bucket", "Properties": private},
            "SiteBucket": {"Type": "AWS::S3::Bucket", "Properties": private}}


def _event_functions(app: Any, env: dict[str, Any]) -> dict[str, Any]:
    from chalice.app import SQSEventConfig

    out: dict[str, Any] = {}
    for source in app.event_sources:
        function: dict[str, Any] = {"Properties": {"Environment": {"Variables": dict(env)}, "Runtime": RUNTIME}}
        if snapstart(source.name):
            function["Properties"].update(snapstart_properties())
        if isinstance(source, SQSEventConfig):
            function["DependsOn"] = ["TasksQueue"]
            function["Properties"]["Events"] = {f"{resource_name(source.name)}SqsEventSource": {"Properties": {
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            }}}
        out[resource_name(source.name)] = function
    return out


def _policy() -> dict[str, Any]:
    return {"PolicyName": "BlogApiPolicy", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:*:logs:*:*:*"},
        {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                                       "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                                       "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks"],
         "Resource": [{"Fn::GetAtt": ["TasksQueue", "Arn"]}, {"Fn::GetAtt": ["TasksDeadLetterQueue", "Arn"]}]},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
         "Resource": [{"Fn::Sub": "${UploadsBucket.Arn}/*"}, {"Fn::Sub": "${SiteBucket.Arn}/*"}]},
        {"Effect": "Allow", "Action": ["ses:SendRawEmail", "ses:SendEmail", "ses:GetSendQuota"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["ssm:GetParametersByPath"],
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/blog/*"}},
        # Content revalidation (CLOUDFRONT_DISTRIBUTION_ID): the distribution is the account's, not the stack's.
        {"Effect": "Allow", "Action": ["cloudfront:CreateInvalidation"],
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*"}},
    ]}}


def _auth_only_role() -> dict[str, Any]:
    """Logs and the stage's secrets (the JWT key, the database URL): what authenticating needs.

    For a function that runs untrusted code, so that even a guest that escaped the sandbox
    would hold credentials good for nothing else: no queue, bucket or mail permission.
    """
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "AuthOnly", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": "arn:*:logs:*:*:*"},
            {"Effect": "Allow", "Action": ["ssm:GetParametersByPath"],
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/blog/*"}},
        ]}}],
    }}
