using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

/// <summary>Ways of writing a private address that a resolver accepts are judged as the address they mean (issue #12).</summary>
public sealed class WebhookUrlNormalisationTests
{
    [Theory]
    [InlineData("https://127.0.0.1.:8443/")]
    [InlineData("https://LOCALHOST./")]
    [InlineData("https://localhost../")]
    [InlineData("https://169.254.169.254./latest/")]
    [InlineData("https://0x7f000001/")]
    [InlineData("https://2130706433/")]
    [InlineData("https://127.1/")]
    [InlineData("https://0177.0.0.1/")]
    [InlineData("https://[::ffff:127.0.0.1]/")]
    [InlineData("https://[::ffff:a9fe:a9fe]/")]
    [InlineData("https://ｌｏｃａｌｈｏｓｔ/")]
    [InlineData("https://Api.LocalHost/")]
    [InlineData("https://10.0.0.1./")]
    public void Private_and_loopback_hosts_in_any_spelling_are_refused(string url)
    {
        var errors = new ValidationErrors();

        WebhookUrlPolicy.Validate(url, allowLoopback: false, errors);

        Assert.False(errors.IsEmpty, url);
    }

    [Theory]
    [InlineData("https://hooks.example.com./in")]
    [InlineData("https://HOOKS.Example.COM/in")]
    public void Public_names_in_any_spelling_are_accepted(string url)
    {
        var errors = new ValidationErrors();

        WebhookUrlPolicy.Validate(url, allowLoopback: false, errors);

        Assert.True(errors.IsEmpty, url);
    }
}
