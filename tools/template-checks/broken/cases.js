// Deliberately broken copies of template.yaml, one defect each: every check must reject its copy, or the check
// proves nothing. `run` writes each copy to broken/<name>.yaml, made from the current template.yaml by the edits
// below; an edit whose text template.yaml no longer has fails the run, so the cases cannot silently go stale.
//
// expect: { guard: 'rule' } - that rule of conveyor.guard fails on the copy (or on its resolved copy) and no
//         other rule does; { validator: 'RuleId' } - AWS's validator reports that rule at ERROR or FATAL, and
//         nothing else.
'use strict';

module.exports = [
  {
    name: 'consumed-queue-without-dead-letter-queue',
    why: 'the jobs queue, consumed by process-job, loses its redrive policy',
    expect: { guard: 'consumed_queues_have_a_dead_letter_queue' },
    edits: [{
      find: '      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt JobsDeadLetterQueue.Arn\n' +
        '        maxReceiveCount: !Ref MaxReceiveCount\n',
      replace: '',
    }],
  },
  {
    name: 'sqs-event-without-report-batch-item-failures',
    why: "process-job's SQS event reports no batch item failures",
    expect: { guard: 'sqs_events_report_batch_item_failures' },
    edits: [{
      find: '            MaximumBatchingWindowInSeconds: 0\n            FunctionResponseTypes:\n' +
        '              - ReportBatchItemFailures\n',
      replace: '            MaximumBatchingWindowInSeconds: 0\n',
    }],
  },
  {
    name: 'visibility-below-six-times-the-timeout',
    why: "the jobs queue's visibility timeout defaults to 300 s, 5 times the consumer's 60 s: only the resolved " +
      'copy shows it',
    expect: { guard: 'queue_visibility_is_six_times_the_consumer_timeout' },
    edits: [{
      find: '  QueueVisibilityTimeout:\n    Type: Number\n    Default: 360\n',
      replace: '  QueueVisibilityTimeout:\n    Type: Number\n    Default: 300\n',
    }],
  },
  {
    name: 'iam-wildcard-action',
    why: "process-job may do anything to the jobs queue ('sqs:*') where it needs ChangeMessageVisibility",
    expect: { guard: 'iam_statements_name_their_actions_and_resources' },
    edits: [{
      find: '                - sqs:ChangeMessageVisibility\n              Resource: !GetAtt JobsQueue.Arn\n',
      replace: "                - 'sqs:*'\n              Resource: !GetAtt JobsQueue.Arn\n",
    }],
  },
  {
    name: 'iam-wildcard-resource',
    why: "process-job may change the visibility of any queue's messages (Resource '*')",
    expect: { guard: 'iam_statements_name_their_actions_and_resources' },
    edits: [{
      find: '                - sqs:ChangeMessageVisibility\n              Resource: !GetAtt JobsQueue.Arn\n',
      replace: "                - sqs:ChangeMessageVisibility\n              Resource: '*'\n",
    }],
  },
  {
    name: 'iam-wildcard-among-resources',
    why: "get-job may read the attributes of its two queues and of any other ('*' beside the named ones)",
    expect: { guard: 'iam_statements_name_their_actions_and_resources' },
    edits: [{
      find: '                - !GetAtt JobsDeadLetterQueue.Arn\n',
      replace: "                - !GetAtt JobsDeadLetterQueue.Arn\n                - '*'\n",
    }],
  },
  {
    name: 'iam-wildcard-in-a-single-policy-document',
    why: "process-job's policy is one document rather than a list of them, and it allows 'sqs:*'",
    expect: { guard: 'iam_statements_name_their_actions_and_resources' },
    edits: [{
      find: '        - !Ref DatabaseAccessPolicy\n        - Statement:\n            - Sid: BackoffByVisibility\n' +
        '              Effect: Allow\n              Action:\n                - sqs:ChangeMessageVisibility\n',
      replace: '        Statement:\n            - Sid: BackoffByVisibility\n' +
        "              Effect: Allow\n              Action:\n                - 'sqs:*'\n",
    }],
  },
  {
    name: 'iam-wildcard-under-if',
    why: "the Data API statement, under !If UseDataApi, allows 'rds-data:*' on any cluster",
    expect: { guard: 'iam_statements_name_their_actions_and_resources' },
    edits: [{
      find: '              Resource: !Ref DatabaseClusterArn\n',
      replace: "              Resource: '*'\n",
    }, {
      find: '                - rds-data:ExecuteStatement\n',
      replace: "                - 'rds-data:*'\n",
    }],
  },
  {
    name: 'function-with-full-access-policy',
    why: 'sweep-jobs takes the AWS managed AmazonSQSFullAccess policy instead of SQSSendMessagePolicy',
    expect: { guard: 'functions_take_no_broad_managed_policies' },
    edits: [{
      find: '      Policies:\n        - !Ref DatabaseAccessPolicy\n        - SQSSendMessagePolicy:\n' +
        '            QueueName: !GetAtt JobsQueue.QueueName\n      Events:\n        Sweep:\n',
      replace: '      Policies:\n        - !Ref DatabaseAccessPolicy\n        - AmazonSQSFullAccess\n' +
        '      Events:\n        Sweep:\n',
    }],
  },
  {
    name: 'event-source-mapping-without-report-batch-item-failures',
    why: 'a second consumer of the jobs queue, mapped as an AWS::Lambda::EventSourceMapping, reports no batch item ' +
      'failures',
    expect: { guard: 'sqs_mappings_report_batch_item_failures' },
    edits: [{
      find: '  JobsDeadLetterQueue:\n    Type: AWS::SQS::Queue\n',
      replace: '  JobsMapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n' +
        '      EventSourceArn: !GetAtt JobsQueue.Arn\n      FunctionName: !Ref ProcessJobFunction\n\n' +
        '  JobsDeadLetterQueue:\n    Type: AWS::SQS::Queue\n',
    }],
  },
  {
    name: 'event-source-mapping-without-dead-letter-queue',
    why: 'an AWS::Lambda::EventSourceMapping consumes a queue that has no redrive policy',
    expect: { guard: 'mapped_queues_have_a_dead_letter_queue' },
    edits: [{
      find: '  JobsDeadLetterQueue:\n    Type: AWS::SQS::Queue\n',
      replace: '  AuditQueue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 360\n\n' +
        '  AuditMapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n' +
        '      EventSourceArn: !GetAtt AuditQueue.Arn\n      FunctionName: !Ref ProcessJobFunction\n' +
        '      FunctionResponseTypes:\n        - ReportBatchItemFailures\n\n' +
        '  JobsDeadLetterQueue:\n    Type: AWS::SQS::Queue\n',
    }],
  },
  {
    name: 'validator-unknown-property',
    why: 'the jobs queue has a property SQS does not have',
    expect: { validator: 'F3002' },
    edits: [{
      find: '      QueueName: !Sub ${AWS::StackName}-jobs\n',
      replace: '      QueueName: !Sub ${AWS::StackName}-jobs\n      MaxMessages: 10\n',
    }],
  },
  {
    name: 'validator-bad-reference',
    why: "the dead-letter alarm watches a queue the template does not have (a typo in its !GetAtt)",
    expect: { validator: 'F1020' },
    edits: [{
      find: '          Value: !GetAtt JobsDeadLetterQueue.QueueName\n',
      replace: '          Value: !GetAtt JobsDeadLetterQueu.QueueName\n',
    }],
  },
  {
    name: 'validator-bad-ref-in-a-function',
    why: 'a function names a policy the template does not have (a typo in its !Ref)',
    expect: { validator: 'F1020' },
    edits: [{
      find: '      Handler: dev.conveyor.functions.submit.SubmitJobHandler::handleRequest\n      Policies:\n' +
        '        - !Ref DatabaseAccessPolicy\n',
      replace: '      Handler: dev.conveyor.functions.submit.SubmitJobHandler::handleRequest\n      Policies:\n' +
        '        - !Ref DatabaseAccesPolicy\n',
    }],
  },
];
