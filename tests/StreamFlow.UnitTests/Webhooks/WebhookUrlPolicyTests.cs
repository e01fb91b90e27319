using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookUrlPolicyTests
{
    [Theory]
    [InlineData("https://hooks.example.com/streamflow")]
    [InlineData("https://hooks.example.com:8443/in?token=abc")]
    [InlineData("https://93.184.216.34/hook")]
    public void Public_https_urls_are_accepted(string url)
    {
        Assert.True(Errors(url, allowLoopback: false).IsEmpty);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hooks.example.com/path")]
    [InlineData("ftp://hooks.example.com/")]
    [InlineData("/relative")]
    [InlineData("http://hooks.example.com/")]
    [InlineData("https://user:secret@hooks.example.com/")]
    [InlineData("https://hooks.example.com/#fragment")]
    [InlineData("https://10.0.0.5/")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[fd00::1]/")]
    [InlineData("https://[::ffff:192.168.0.1]/")]
    [InlineData("https://127.0.0.1/")]
    [InlineData("https://localhost/")]
    [InlineData("https://intranet/")]
    [InlineData("https://printer.local/")]
    public void Unsafe_or_malformed_urls_are_field_errors(string? url)
    {
        var problem = Errors(url, allowLoopback: false).ToProblem();

        Assert.NotNull(problem);
        Assert.Equal(ProblemKind.Validation, problem.Kind);
        Assert.True(problem.Errors!.ContainsKey("url"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5005/hook")]
    [InlineData("http://localhost:5005/hook")]
    [InlineData("https://[::1]:5005/hook")]
    public void Loopback_over_plain_http_is_accepted_only_when_development_allows_it(string url)
    {
        Assert.True(Errors(url, allowLoopback: true).IsEmpty);
        Assert.False(Errors(url, allowLoopback: false).IsEmpty);
    }

    [Fact]
    public void Development_setting_does_not_open_plain_http_to_other_hosts()
    {
        Assert.False(Errors("http://hooks.example.com/", allowLoopback: true).IsEmpty);
    }

    private static ValidationErrors Errors(string? url, bool allowLoopback)
    {
        var errors = new ValidationErrors();
        WebhookUrlPolicy.Validate(url, allowLoopback, errors);
        return errors;
    }
}
