"""Every rule tffix ships, in id order. Adding a rule: its module, one line here."""

from __future__ import annotations

from tffix.rules import Rule

from .alarm_without_actions import AlarmWithoutActions
from .undeclared_reference import UndeclaredReference
from .alb_access_logs import AlbAccessLogs
from .alb_drop_invalid_headers import AlbDropInvalidHeaders
from .aurora_serverless_v2_instance_class import AuroraServerlessV2InstanceClass
from .autoscaling_group_without_policy import AutoscalingGroupWithoutPolicy
from .backend_config_placeholder import BackendConfigPlaceholder
from .backend_hardcoded_names import BackendHardcodedNames
from .backend_s3_encrypt import BackendS3Encrypt
from .backend_s3_locking import BackendS3Locking
from .cidr_overlap import CidrOverlap
from .cloudtrail_bucket_policy_dependency import CloudtrailBucketPolicyDependency
from .cloudtrail_cloudwatch_logs import CloudtrailCloudwatchLogs
from .cloudtrail_log_file_validation import CloudtrailLogFileValidation
from .cloudtrail_multi_region import CloudtrailMultiRegion
from .cloudwatch_log_group_kms import CloudwatchLogGroupKms
from .cloudwatch_log_retention import CloudwatchLogRetention
from .container_image_tag import ContainerImageTag
from .db_auto_minor_version_upgrade import DbAutoMinorVersionUpgrade
from .db_backup_retention import DbBackupRetention
from .db_copy_tags_to_snapshot import DbCopyTagsToSnapshot
from .db_deletion_protection import DbDeletionProtection
from .db_enhanced_monitoring import DbEnhancedMonitoring
from .db_iam_auth import DbIamAuth
from .db_log_exports import DbLogExports
from .db_password_literal import DbPasswordLiteral
from .db_performance_insights import DbPerformanceInsights
from .db_publicly_accessible import DbPubliclyAccessible
from .db_storage_autoscaling import DbStorageAutoscaling
from .db_subnet_group_public_subnets import DbSubnetGroupPublicSubnets
from .dynamodb_point_in_time_recovery import DynamodbPointInTimeRecovery
from .ebs_volume_encrypted import EbsVolumeEncrypted
from .ecr_immutable_tags import EcrImmutableTags
from .ecr_scan_on_push import EcrScanOnPush
from .elasticache_at_rest_encryption import ElasticacheAtRestEncryption
from .elasticache_transit_encryption import ElasticacheTransitEncryption
from .flow_log_iam_scope import FlowLogIamScope
from .hardcoded_account_id import HardcodedAccountId
from .hardcoded_resource_ids import HardcodedResourceIds
from .iam_wildcard_statement import IamWildcardStatement
from .imdsv2_required import Imdsv2Required
from .instance_block_device_encrypted import InstanceBlockDeviceEncrypted
from .kms_key_rotation import KmsKeyRotation
from .lambda_archive_file import LambdaArchiveFile
from .lambda_url_auth import LambdaUrlAuth
from .lambda_url_cors_wildcard import LambdaUrlCorsWildcard
from .launch_configuration import LaunchConfiguration
from .module_call_arguments import ModuleCallArguments
from .launch_template_ebs_encrypted import LaunchTemplateEbsEncrypted
from .lb_subnet_placement import LbSubnetPlacement
from .monitored_resources_without_alarms import MonitoredResourcesWithoutAlarms
from .non_production_instance_size import NonProductionInstanceSize
from .non_production_redundancy import NonProductionRedundancy
from .placeholder_domain import PlaceholderDomain
from .private_subnet_without_nat import PrivateSubnetWithoutNat
from .provider_credentials import ProviderCredentials
from .provider_missing import RequiredProviderMissing
from .provider_region_config import ProviderRegionConfig
from .provider_source import ProviderSource
from .provider_version import ProviderVersion
from .provider_version_outdated import ProviderVersionOutdated
from .random_password_special import RandomPasswordSpecial
from .rds_multi_az_production import RdsMultiAzProduction
from .required_version_too_low import RequiredVersionTooLow
from .s3_access_logging import S3AccessLogging
from .s3_bucket_encryption import S3BucketEncryption
from .s3_lifecycle import S3Lifecycle
from .s3_public_access_block import S3PublicAccessBlock
from .secret_rotation import SecretRotation
from .security_group_open_admin_ports import SecurityGroupOpenAdminPorts
from .security_group_open_database_ports import SecurityGroupOpenDatabasePorts
from .sensitive_outputs import SensitiveOutputs
from .single_az_subnets import SingleAzSubnets
from .sns_subscription_dlq import SnsSubscriptionDlq
from .sns_topic_encrypted import SnsTopicEncrypted
from .sqs_queue_encrypted import SqsQueueEncrypted
from .state_bucket_versioning import StateBucketVersioning
from .storage_encrypted import StorageEncrypted
from .tag_consistency import TagConsistency
from .target_group_health_check import TargetGroupHealthCheck
from .terraform_fmt import TerraformFmt
from .terraform_required_version import TerraformRequiredVersion
from .vpc_flow_logs import VpcFlowLogs

# One line per rule, kept in id order (the list is sorted by id below anyway).
_RULES: list[type[Rule]] = [
    StorageEncrypted,
    KmsKeyRotation,
    EbsVolumeEncrypted,
    InstanceBlockDeviceEncrypted,
    LaunchTemplateEbsEncrypted,
    SqsQueueEncrypted,
    SnsTopicEncrypted,
    ElasticacheAtRestEncryption,
    ElasticacheTransitEncryption,
    S3BucketEncryption,
    S3PublicAccessBlock,
    StateBucketVersioning,
    DbPubliclyAccessible,
    LambdaUrlAuth,
    SecurityGroupOpenAdminPorts,
    PrivateSubnetWithoutNat,
    LambdaUrlCorsWildcard,
    DbSubnetGroupPublicSubnets,
    SecurityGroupOpenDatabasePorts,
    LbSubnetPlacement,
    FlowLogIamScope,
    IamWildcardStatement,
    HardcodedAccountId,
    LambdaArchiveFile,
    TerraformRequiredVersion,
    ProviderVersion,
    ProviderSource,
    RequiredProviderMissing,
    RequiredVersionTooLow,
    ProviderRegionConfig,
    ProviderVersionOutdated,
    BackendS3Encrypt,
    BackendS3Locking,
    BackendHardcodedNames,
    BackendConfigPlaceholder,
    UndeclaredReference,
    ModuleCallArguments,
    DbPasswordLiteral,
    RandomPasswordSpecial,
    SensitiveOutputs,
    ProviderCredentials,
    CloudwatchLogRetention,
    CloudtrailLogFileValidation,
    CloudtrailMultiRegion,
    DynamodbPointInTimeRecovery,
    CloudwatchLogGroupKms,
    S3AccessLogging,
    CloudtrailCloudwatchLogs,
    VpcFlowLogs,
    AlbAccessLogs,
    DbBackupRetention,
    DbCopyTagsToSnapshot,
    DbIamAuth,
    DbDeletionProtection,
    DbAutoMinorVersionUpgrade,
    DbPerformanceInsights,
    DbEnhancedMonitoring,
    DbStorageAutoscaling,
    DbLogExports,
    AlarmWithoutActions,
    SnsSubscriptionDlq,
    TargetGroupHealthCheck,
    AutoscalingGroupWithoutPolicy,
    MonitoredResourcesWithoutAlarms,
    CloudtrailBucketPolicyDependency,
    Imdsv2Required,
    EcrScanOnPush,
    EcrImmutableTags,
    AlbDropInvalidHeaders,
    LaunchConfiguration,
    ContainerImageTag,
    TagConsistency,
    S3Lifecycle,
    SecretRotation,
    AuroraServerlessV2InstanceClass,
    SingleAzSubnets,
    RdsMultiAzProduction,
    HardcodedResourceIds,
    PlaceholderDomain,
    CidrOverlap,
    NonProductionRedundancy,
    NonProductionInstanceSize,
    TerraformFmt,
]
RULES: list[type[Rule]] = sorted(_RULES, key=lambda r: r.id)

# Rules that run only when selected explicitly (--select ID or a prefix that names them).
OPT_IN: set[str] = {"TFX901"}


def by_id(rule_id: str) -> type[Rule] | None:
    return next((r for r in RULES if r.id == rule_id.upper()), None)
