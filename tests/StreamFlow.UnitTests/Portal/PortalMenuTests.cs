using System.Reflection;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Portal;

public sealed class PortalMenuTests
{
    private static readonly FunctionCatalog Catalog =
        FunctionCatalog.Load(typeof(FunctionsServiceCollectionExtensions).Assembly, Path.Combine(RepositoryPaths.Root, "host.json"));

    public static TheoryData<string> SectionKeys() => [.. PortalMenu.Sections.Select(section => section.Key)];

    [Theory]
    [MemberData(nameof(SectionKeys))]
    public void A_section_needs_the_permission_its_route_declares(string key)
    {
        var section = PortalMenu.Sections.Single(s => s.Key == key);
        var functions = Catalog.Http.Where(function => "/" + function.Route == section.Path).ToList();

        Assert.NotEmpty(functions);
        var landing = functions.FirstOrDefault(function => function.Methods.Contains("get", StringComparer.OrdinalIgnoreCase)) ?? functions[0];
        var access = Assert.IsType<ClientAccessAttribute>(landing.Method.GetCustomAttribute<AccessAttribute>());
        Assert.Equal(access.Permission, section.Permission);
    }

    [Theory]
    [InlineData(ClientRole.Owner, "settings", true)]
    [InlineData(ClientRole.Staff, "settings", false)]
    [InlineData(ClientRole.Staff, "leads", true)]
    [InlineData(ClientRole.Employee, "my-visits", true)]
    [InlineData(ClientRole.Employee, "dispatch", false)]
    [InlineData(ClientRole.Manager, "dispatch", true)]
    public void The_menu_follows_the_role(ClientRole role, string key, bool shown)
    {
        var principal = new ClientPrincipal(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "u@example.com", role, 600, 120);

        Assert.Equal(shown, PortalMenu.For(principal).Any(section => section.Key == key));
    }

    [Fact]
    public void An_api_key_sees_only_the_sections_of_its_scopes()
    {
        var key = new ClientApiKey(Guid.NewGuid(), "CRM sync", "sf_live_ab", new HashSet<Permission> { Permission.LeadsRead }, 60);
        var principal = new ClientPrincipal(Guid.NewGuid(), Guid.NewGuid(), key.Id, "u@example.com", ClientRole.Owner, 600, 120, key);

        Assert.Equal(["leads", "tasks", "pipeline", "scoring"], PortalMenu.For(principal).Select(section => section.Key));
        Assert.Equal([Permission.LeadsRead], PortalMenu.PermissionsOf(principal));
    }
}
