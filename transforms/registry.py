"""Every rule tffix ships, in id order. Adding a rule: its module, one line here."""

from __future__ import annotations

from tffix.rules import Rule

from .tag_consistency import TagConsistency
from .provider_version_outdated import ProviderVersionOutdated
from .provider_region_config import ProviderRegionConfig
from .backend_config_placeholder import BackendConfigPlaceholder
from .non_production_instance_size import NonProductionInstanceSize
from .non_production_redundancy import NonProductionRedundancy
from .vpc_flow_logs import VpcFlowLogs
from .cloudtrail_cloudwatch_logs import CloudtrailCloudwatchLogs
from .cloudwatch_log_group_kms import CloudwatchLogGroupKms
from .s3_lifecycle import S3Lifecycle
from .alb_access_logs import AlbAccessLogs
from .s3_access_logging import S3AccessLogging
from .state_bucket_versioning import StateBucketVersioning
from .db_subnet_group_public_subnets import DbSubnetGroupPublicSubnets
from .cidr_overlap import CidrOverlap
from .secret_rotation import SecretRotation
from .container_image_tag import ContainerImageTag
from .launch_configuration import LaunchConfiguration
from .autoscaling_group_without_policy import AutoscalingGroupWithoutPolicy
from .target_group_health_check import TargetGroupHealthCheck
from .sns_subscription_dlq import SnsSubscriptionDlq
from .alarm_without_actions import AlarmWithoutActions
from .db_storage_autoscaling import DbStorageAutoscaling
from .db_enhanced_monitoring import DbEnhancedMonitoring
from .lb_subnet_placement import LbSubnetPlacement
from .db_log_exports import DbLogExports
from .monitored_resources_without_alarms import MonitoredResourcesWithoutAlarms
from .security_group_open_database_ports import SecurityGroupOpenDatabasePorts
from .db_performance_insights import DbPerformanceInsights
from .db_auto_minor_version_upgrade import DbAutoMinorVersionUpgrade
from .db_deletion_protection import DbDeletionProtection
from .db_iam_auth import DbIamAuth
from .db_backup_retention import DbBackupRetention
from .db_copy_tags_to_snapshot import DbCopyTagsToSnapshot
from .provider_credentials import ProviderCredentials
from .random_password_special import RandomPasswordSpecial
from .lambda_url_auth import LambdaUrlAuth
from .sensitive_outputs import SensitiveOutputs
from .alb_drop_invalid_headers import AlbDropInvalidHeaders
from .ecr_immutable_tags import EcrImmutableTags
from .ecr_scan_on_push import EcrScanOnPush
from .db_password_literal import DbPasswordLiteral
from .imdsv2_required import Imdsv2Required
from .dynamodb_point_in_time_recovery import DynamodbPointInTimeRecovery
from .cloudtrail_multi_region import CloudtrailMultiRegion
from .cloudtrail_log_file_validation import CloudtrailLogFileValidation
from .cloudwatch_log_retention import CloudwatchLogRetention
from .elasticache_transit_encryption import ElasticacheTransitEncryption
from .elasticache_at_rest_encryption import ElasticacheAtRestEncryption
from .sns_topic_encrypted import SnsTopicEncrypted
from .sqs_queue_encrypted import SqsQueueEncrypted
from .launch_template_ebs_encrypted import LaunchTemplateEbsEncrypted
from .instance_block_device_encrypted import InstanceBlockDeviceEncrypted
from .ebs_volume_encrypted import EbsVolumeEncrypted
from .kms_key_rotation import KmsKeyRotation
from .private_subnet_without_nat import PrivateSubnetWithoutNat
from .single_az_subnets import SingleAzSubnets
from .rds_multi_az_production import RdsMultiAzProduction
from .lambda_url_cors_wildcard import LambdaUrlCorsWildcard
from .placeholder_domain import PlaceholderDomain
from .hardcoded_resource_ids import HardcodedResourceIds
from .iam_wildcard_statement import IamWildcardStatement
from .security_group_open_admin_ports import SecurityGroupOpenAdminPorts
from .backend_hardcoded_names import BackendHardcodedNames
from .backend_s3_locking import BackendS3Locking
from .backend_s3_encrypt import BackendS3Encrypt
from .hardcoded_account_id import HardcodedAccountId
from .aurora_serverless_v2_instance_class import AuroraServerlessV2InstanceClass
from .cloudtrail_bucket_policy_dependency import CloudtrailBucketPolicyDependency
from .s3_public_access_block import S3PublicAccessBlock
from .s3_bucket_encryption import S3BucketEncryption
from .db_publicly_accessible import DbPubliclyAccessible
from .flow_log_iam_scope import FlowLogIamScope
from .lambda_archive_file import LambdaArchiveFile
from .provider_missing import RequiredProviderMissing
from .provider_source import ProviderSource
from .provider_version import ProviderVersion
from .required_version_too_low import RequiredVersionTooLow
from .storage_encrypted import StorageEncrypted
from .terraform_fmt import TerraformFmt
from .terraform_required_version import TerraformRequiredVersion

# One line per rule, any order (the list is sorted by id below).
_RULES: list[type[Rule]] = [
    TagConsistency,
    ProviderVersionOutdated,
    ProviderRegionConfig,
    BackendConfigPlaceholder,
    NonProductionInstanceSize,
    NonProductionRedundancy,
    VpcFlowLogs,
    CloudtrailCloudwatchLogs,
    CloudwatchLogGroupKms,
    S3Lifecycle,
    AlbAccessLogs,
    S3AccessLogging,
    StateBucketVersioning,
    DbSubnetGroupPublicSubnets,
    CidrOverlap,
    SecretRotation,
    ContainerImageTag,
    LaunchConfiguration,
    AutoscalingGroupWithoutPolicy,
    TargetGroupHealthCheck,
    SnsSubscriptionDlq,
    AlarmWithoutActions,
    DbStorageAutoscaling,
    DbEnhancedMonitoring,
    LbSubnetPlacement,
    DbLogExports,
    MonitoredResourcesWithoutAlarms,
    SecurityGroupOpenDatabasePorts,
    DbPerformanceInsights,
    DbAutoMinorVersionUpgrade,
    DbDeletionProtection,
    DbIamAuth,
    DbBackupRetention,
    DbCopyTagsToSnapshot,
    ProviderCredentials,
    RandomPasswordSpecial,
    LambdaUrlAuth,
    SensitiveOutputs,
    AlbDropInvalidHeaders,
    EcrImmutableTags,
    EcrScanOnPush,
    DbPasswordLiteral,
    Imdsv2Required,
    DynamodbPointInTimeRecovery,
    CloudtrailMultiRegion,
    CloudtrailLogFileValidation,
    CloudwatchLogRetention,
    ElasticacheTransitEncryption,
    ElasticacheAtRestEncryption,
    SnsTopicEncrypted,
    SqsQueueEncrypted,
    LaunchTemplateEbsEncrypted,
    InstanceBlockDeviceEncrypted,
    EbsVolumeEncrypted,
    KmsKeyRotation,
    PrivateSubnetWithoutNat,
    SingleAzSubnets,
    RdsMultiAzProduction,
    LambdaUrlCorsWildcard,
    PlaceholderDomain,
    HardcodedResourceIds,
    IamWildcardStatement,
    SecurityGroupOpenAdminPorts,
    BackendHardcodedNames,
    BackendS3Locking,
    BackendS3Encrypt,
    HardcodedAccountId,
    AuroraServerlessV2InstanceClass,
    CloudtrailBucketPolicyDependency,
    S3PublicAccessBlock,
    S3BucketEncryption,
    TerraformFmt,
    DbPubliclyAccessible,
    FlowLogIamScope,
    LambdaArchiveFile,
    StorageEncrypted,
    TerraformRequiredVersion,
    ProviderVersion,
    ProviderSource,
    RequiredProviderMissing,
    RequiredVersionTooLow,
]
RULES: list[type[Rule]] = sorted(_RULES, key=lambda r: r.id)

# Rules that run only when selected explicitly (--select ID or a prefix that names them).
OPT_IN: set[str] = {"TFX901"}


def by_id(rule_id: str) -> type[Rule] | None:
    return next((r for r in RULES if r.id == rule_id.upper()), None)
