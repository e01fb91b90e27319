using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources.WebForms;

/// <summary>A tenant's web forms: create (a new public form key), list, read, delete. docs/lead-sources.md.</summary>
public sealed class WebFormService(StreamFlowDatabase database, SourceSecretProtector protector, WebFormCache cache, TimeProvider timeProvider)
{
    public async Task<Result<WebFormView>> CreateAsync(Guid tenantId, CreateWebForm request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        WebFormValidation.Validate(request, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var id = Guid.CreateVersion7();
        var origins = (request.AllowedOrigins ?? []).Select(WebFormValidation.NormalizeOrigin).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var row = new WebFormRow(id, tenantId, WebFormKey.Create(tenantId), request.Name!.Trim(), request.LeadSource?.Trim() is { Length: > 0 } source ? source : "Web form",
            JsonSerializer.Serialize(request.FieldMap), string.Join(',', origins), request.HoneypotField, request.CaptchaProvider,
            request.CaptchaProvider is null ? null : protector.Protect(request.CaptchaSecret!.Trim(), tenantId, id),
            request.SubmissionsPerMinute ?? WebFormValidation.DefaultSubmissionsPerMinute, true, default);
        var inserted = await database.InTenantAsync(tenantId, scope => WebFormStore.InsertAsync(scope, row, timeProvider.GetUtcNow()), cancellationToken);
        return inserted.ToView();
    }

    public async Task<Result<WebFormView>> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope => WebFormStore.GetAsync(scope, id), cancellationToken);
        return row is null ? Problem.NotFound("The web form") : row.ToView();
    }

    public async Task<Result<WebFormPage>> ListAsync(Guid tenantId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        Guid? after = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, 64, out var key) || !Guid.TryParseExact(key, "N", out var id))
            {
                return Problem.Validation("cursor", Cursor.NotOurs);
            }

            after = id;
        }

        var rows = await database.InTenantAsync(tenantId, scope => WebFormStore.ListAsync(scope, after, limit + 1), cancellationToken);
        var items = rows.Take(limit).Select(row => row.ToView()).ToList();
        return new WebFormPage(items, rows.Count > limit ? Cursor.Encode(items[^1].Id.ToString("N")) : null);
    }

    /// <summary>Deletes the form: its key stops accepting submissions (404; other instances within the intake's cache time); leads it created stay.</summary>
    public async Task<Result<bool>> DeleteAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        if (await database.InTenantAsync(tenantId, scope => WebFormStore.DeleteAsync(scope, id), cancellationToken) is not { } formKey)
        {
            return Problem.NotFound("The web form");
        }

        cache.Forget(formKey);
        return true;
    }
}
