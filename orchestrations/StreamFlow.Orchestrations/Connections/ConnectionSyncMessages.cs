namespace StreamFlow.Orchestrations.Connections;

public sealed record ConnectionSyncInput(Guid TenantId, Guid ConnectionId, Guid SyncId);

public sealed record SyncPageRequest(Guid TenantId, Guid ConnectionId, Guid SyncId, string Page);

public sealed record SyncWait(Guid TenantId, Guid SyncId, DateTimeOffset Until, string Error, string ErrorKind);

public sealed record SyncFinish(Guid TenantId, Guid ConnectionId, Guid SyncId, string? Error, string? ErrorKind);

public sealed record SourceAttachmentBatch(Guid TenantId, int Max);
