namespace StreamFlow.Functions.OpenApi;

/// <summary>Describes an HTTP function for the OpenAPI document; the route and methods come from its trigger.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string summary) : Attribute
{
    public string Summary => summary;

    public string Tag { get; init; } = "General";

    public Type? RequestBody { get; init; }

    public string RequestContentType { get; init; } = "application/json";

    public Type? Response { get; init; }

    public int SuccessStatus { get; init; } = 200;

    /// <summary>Optional query parameters the function reads (documented as strings: each function parses its own).</summary>
    public string[] Query { get; init; } = [];

    /// <summary>Problem statuses beyond the ones implied by the body and auth (400/415/413, 401).</summary>
    public int[] Problems { get; init; } = [];
}
