namespace StreamFlow.Orchestrations.Leads;

public sealed record LeadImportInput(Guid TenantId, Guid ImportId);

public sealed record ImportChunkRequest(Guid TenantId, Guid ImportId, int ChunkIndex);

public sealed record ImportChunkOutcome(int Processed, int Failed);

public sealed record LeadImportFinish(Guid TenantId, Guid ImportId, string? Error);
