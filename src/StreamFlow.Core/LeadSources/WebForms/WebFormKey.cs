using System.Buffers.Text;
using System.Security.Cryptography;

namespace StreamFlow.Core.LeadSources.WebForms;

/// <summary>
/// Public form keys: <c>frm_</c> + base64url(tenant id + 128 random bits). A key is not a secret (it sits in the
/// website's HTML); the tenant id in it lets the intake read the form under that tenant's row-level security.
/// </summary>
public static class WebFormKey
{
    private const string Marker = "frm_";

    public static string SubmitPath(string formKey) => $"/api/v1/forms/{formKey}/submissions";

    internal static string Create(Guid tenantId)
    {
        Span<byte> bytes = stackalloc byte[32];
        tenantId.TryWriteBytes(bytes[..16]);
        RandomNumberGenerator.Fill(bytes[16..]);
        return Marker + Base64Url.EncodeToString(bytes);
    }

    internal static bool TryReadTenant(string? formKey, out Guid tenantId)
    {
        tenantId = Guid.Empty;
        if (formKey is null || formKey.Length != Marker.Length + 43 || !formKey.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[33];
        if (Base64Url.DecodeFromChars(formKey.AsSpan(Marker.Length), bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        tenantId = new Guid(bytes[..16]);
        return tenantId != Guid.Empty;
    }
}
