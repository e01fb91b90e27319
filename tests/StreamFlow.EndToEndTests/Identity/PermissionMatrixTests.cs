using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamFlow.EndToEndTests.Identity;

/// <summary>Holds every client route to docs/permissions.md, for every role.</summary>
[Collection(HostCollection.Name)]
public sealed class PermissionMatrixTests(HostFixture fixture)
{
    private static readonly string[] Roles = ["owner", "admin", "manager", "staff", "employee"];

    private static readonly string[] AnonymousClientRoutes =
        ["POST /api/v1/auth/login", "POST /api/v1/auth/password-reset", "POST /api/v1/auth/password-reset/confirm"];

    [Fact]
    public async Task Every_client_route_is_in_the_written_matrix_and_nothing_else_is()
    {
        using var response = await fixture.Client.GetAsync("/api/openapi.json");
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        var clientRoutes = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => (Route: $"{operation.Name.ToUpperInvariant()} {path.Name}", Operation: operation.Value)))
            .Where(r => r.Operation.TryGetProperty("security", out var security) && security.EnumerateArray().Any(s => s.TryGetProperty("clientSession", out _)))
            .Select(r => r.Route)
            .Order();

        Assert.Equal(clientRoutes, ReadMatrix().Select(row => row.Route).Order());
    }

    [Fact]
    public async Task Every_role_gets_403_exactly_where_the_matrix_says_so()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var tokens = new Dictionary<string, string> { ["owner"] = tenant.OwnerToken };
        foreach (var role in Roles.Skip(1))
        {
            tokens[role] = (await Tenants.AddUserAsync(fixture, tenant, role)).Token;
        }

        var mismatches = new List<string>();
        foreach (var (route, allowed) in ReadMatrix().OrderBy(row => row.Route.EndsWith("/logout", StringComparison.Ordinal)))
        {
            var (method, path) = (route.Split(' ')[0], route.Split(' ')[1].Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("{messageId}", "msg_unknown", StringComparison.Ordinal));
            foreach (var role in Roles)
            {
                using var request = HostFixture.Authorized(new HttpMethod(method), path, tokens[role], method is "POST" or "PATCH" or "PUT" ? new { } : null);
                using var answer = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var forbidden = answer.StatusCode == HttpStatusCode.Forbidden;
                if (answer.StatusCode == HttpStatusCode.Unauthorized || forbidden == allowed[role])
                {
                    mismatches.Add($"{role} {route}: {(int)answer.StatusCode}");
                }
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void The_matrix_lists_the_anonymous_routes_apart()
    {
        var text = File.ReadAllText(MatrixPath);

        Assert.All(AnonymousClientRoutes, route => Assert.Contains($"`{route}`", text, StringComparison.Ordinal));
    }

    private static string MatrixPath => Path.Combine(TestEnvironment.RepositoryRoot, "docs", "permissions.md");

    private static List<(string Route, Dictionary<string, bool> Allowed)> ReadMatrix() =>
        File.ReadAllLines(MatrixPath)
            .Where(line => line.StartsWith("| GET ", StringComparison.Ordinal) || line.StartsWith("| POST ", StringComparison.Ordinal)
                || line.StartsWith("| PUT ", StringComparison.Ordinal) || line.StartsWith("| PATCH ", StringComparison.Ordinal)
                || line.StartsWith("| DELETE ", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Select(cells => (cells[1], Roles.Select((role, i) => (role, cells[3 + i] == "✓")).ToDictionary(p => p.role, p => p.Item2)))
            .ToList();
}
