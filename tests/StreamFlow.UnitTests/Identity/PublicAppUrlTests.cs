using Microsoft.Extensions.Configuration;
using StreamFlow.Core.Identity.Clients;

namespace StreamFlow.UnitTests.Identity;

public sealed class PublicAppUrlTests
{
    [Fact]
    public void The_configured_public_app_url_is_where_emailed_links_point()
    {
        var options = IdentityOptions.From(Configuration(("Identity:PublicAppUrl", "https://app.acme.example/"), ("STREAMFLOW_PORT", "7171")));

        Assert.Equal("https://app.acme.example", options.PublicAppUrl);
    }

    [Fact]
    public void Unset_it_is_the_standalone_host_on_its_own_port()
    {
        Assert.Equal("http://127.0.0.1:7171", IdentityOptions.From(Configuration(("STREAMFLOW_PORT", "7171"))).PublicAppUrl);
        Assert.Equal("http://127.0.0.1:7071", IdentityOptions.From(Configuration()).PublicAppUrl);
    }

    [Fact]
    public void Unset_in_azure_it_is_the_function_app()
    {
        var options = IdentityOptions.From(Configuration(("WEBSITE_HOSTNAME", "streamflow-prod.azurewebsites.net")));

        Assert.Equal("https://streamflow-prod.azurewebsites.net", options.PublicAppUrl);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
