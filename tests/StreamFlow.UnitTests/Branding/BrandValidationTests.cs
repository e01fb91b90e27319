using StreamFlow.Core.Branding;

namespace StreamFlow.UnitTests.Branding;

public sealed class BrandValidationTests
{
    [Fact]
    public void Colours_are_upper_cased_blank_members_cleared_and_a_good_change_passes()
    {
        var change = BrandValidation.Normalize(new BrandChange(" Acme ", "#0b3d91", "", "Acme Service", "help@acme.example", "  "));

        Assert.Equal(new BrandChange("Acme", "#0B3D91", null, "Acme Service", "help@acme.example", null), change);
        Assert.Null(BrandValidation.Validate(change));
    }

    [Fact]
    public void Every_bad_member_is_named_at_once()
    {
        var change = BrandValidation.Normalize(new BrandChange(new string('x', 101), "red", "#12345G", "Evil\" <x@y>", "a@b.example, c@d.example", new string('f', 1001)));

        var errors = BrandValidation.Validate(change)!.Errors!;

        Assert.Equal(["accentColor", "displayName", "footer", "primaryColor", "replyTo", "senderName"], errors.Keys.Order());
        Assert.Contains("#RRGGBB", errors["primaryColor"][0], StringComparison.Ordinal);
    }
}
