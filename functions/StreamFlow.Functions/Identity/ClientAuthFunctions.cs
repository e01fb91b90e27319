using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Identity;

public sealed record ClientLoginBody(string? Tenant, string? Email, string? Password, string? Totp) : IValidatableRequest
{
    public void Validate(ValidationErrors errors) => errors
        .Required("tenant", Tenant, 63)
        .Required("email", Email, 320)
        .Required("password", Password, 1024)
        .MaxLength("totp", Totp, 32);
}

public sealed record LoginUser(Guid Id, string Email, string Name, ClientRole Role);

public sealed record ClientLoginResponse(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, LoginUser User);

public sealed record ChangePasswordBody(string? CurrentPassword, string? NewPassword) : IValidatableRequest
{
    public void Validate(ValidationErrors errors) => errors.Required("currentPassword", CurrentPassword, 1024).Required("newPassword", NewPassword, 1024);
}

public sealed record PasswordResetBody(string? Tenant, string? Email) : IValidatableRequest
{
    public void Validate(ValidationErrors errors) => errors.Required("tenant", Tenant, 63).Required("email", Email, 320);
}

public sealed record PasswordResetConfirmBody(string? Token, string? NewPassword);

public sealed record MfaCodeBody(string? Code) : IValidatableRequest
{
    public void Validate(ValidationErrors errors) => errors.Required("code", Code, 32);
}

public sealed record MfaDisableBody(string? Password, string? Code) : IValidatableRequest
{
    public void Validate(ValidationErrors errors) => errors.Required("password", Password, 1024).Required("code", Code, 32);
}

public sealed record Accepted(string Message);

/// <summary>Client sign-in, sessions, password and two-factor routes.</summary>
public sealed class ClientAuthFunctions(
    RequestBody body,
    ClientAuthService auth,
    PasswordResetService resets,
    MfaService mfa,
    ClientProfileService profiles)
{
    [Function("ClientLogin")]
    [AnonymousAccess("Signing in is how a client user gets a session.")]
    [ApiOperation("Signs a client user in; returns an opaque session token (idle timeout 30 min, absolute 12 h).",
        Tag = "Client auth", RequestBody = typeof(ClientLoginBody), Response = typeof(ClientLoginResponse), Problems = [401, 403, 429])]
    public async Task<IResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/login")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var login = await body.ReadJsonAsync<ClientLoginBody>(request, cancellationToken);
        if (!login.Succeeded)
        {
            return ApiResults.Problem(login.Problem, request.HttpContext);
        }

        var result = await auth.LoginAsync(new ClientLoginRequest(login.Value.Tenant, login.Value.Email, login.Value.Password, login.Value.Totp), RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(result, session => ApiResults.Json(new ClientLoginResponse(
            session.AccessToken, "Bearer", session.ExpiresAt, new LoginUser(session.User.Id, session.User.Email, session.User.Name, session.User.Role))), request);
    }

    [Function("ClientLogout")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Ends the current session.", Tag = "Client auth", SuccessStatus = 204)]
    public async Task<IResult> Logout(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/logout")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        await auth.LogoutAsync(request.Client(), RequestOrigins.Of(request), cancellationToken);
        return TypedResults.NoContent();
    }

    [Function("ClientMe")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("The signed-in user, their business, the permissions their role grants and the menu sections a portal may show them.",
        Tag = "Client auth", Response = typeof(ClientProfile))]
    public async Task<IResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/auth/me")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await profiles.MeAsync(request.Client(), cancellationToken), profile => ApiResults.Json(profile), request);

    [Function("ListSessions")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("The signed-in user's live sessions.", Tag = "Client auth", Response = typeof(SessionView[]))]
    public async Task<IResult> ListSessions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/auth/sessions")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await auth.ListSessionsAsync(request.Client(), cancellationToken));

    [Function("RevokeSession")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Revokes one of the signed-in user's sessions.", Tag = "Client auth", SuccessStatus = 204, Problems = [404])]
    public async Task<IResult> RevokeSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/auth/sessions/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var revoked = await auth.RevokeSessionAsync(request.Client(), id, RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(revoked, _ => TypedResults.NoContent(), request);
    }

    [Function("ChangePassword")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Changes the signed-in user's password and revokes all of their sessions.", Tag = "Client auth",
        RequestBody = typeof(ChangePasswordBody), SuccessStatus = 204)]
    public async Task<IResult> ChangePassword(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/password")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var change = await body.ReadJsonAsync<ChangePasswordBody>(request, cancellationToken);
        if (!change.Succeeded)
        {
            return ApiResults.Problem(change.Problem, request.HttpContext);
        }

        var result = await auth.ChangePasswordAsync(request.Client(), change.Value.CurrentPassword, change.Value.NewPassword, RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(result, _ => TypedResults.NoContent(), request);
    }

    [Function("RequestPasswordReset")]
    [AnonymousAccess("A user who forgot the password has no session; the answer never says whether the email exists.")]
    [ApiOperation("Emails a single-use reset link if the account exists; the answer is the same either way.",
        Tag = "Client auth", RequestBody = typeof(PasswordResetBody), Response = typeof(Accepted), SuccessStatus = 202, Problems = [429])]
    public async Task<IResult> RequestPasswordReset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/password-reset")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var reset = await body.ReadJsonAsync<PasswordResetBody>(request, cancellationToken);
        if (!reset.Succeeded)
        {
            return ApiResults.Problem(reset.Problem, request.HttpContext);
        }

        var requested = await resets.RequestAsync(reset.Value.Tenant, reset.Value.Email, RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(requested, _ => ApiResults.Json(new Accepted("If the account exists, a reset link is on its way."), StatusCodes.Status202Accepted), request);
    }

    [Function("ConfirmPasswordReset")]
    [AnonymousAccess("The emailed single-use reset token is the credential.")]
    [ApiOperation("Sets a new password with an emailed reset or invitation token (single use).",
        Tag = "Client auth", RequestBody = typeof(PasswordResetConfirmBody), SuccessStatus = 204)]
    public async Task<IResult> ConfirmPasswordReset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/password-reset/confirm")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var confirm = await body.ReadJsonAsync<PasswordResetConfirmBody>(request, cancellationToken);
        if (!confirm.Succeeded)
        {
            return ApiResults.Problem(confirm.Problem, request.HttpContext);
        }

        var result = await resets.ConfirmAsync(confirm.Value.Token, confirm.Value.NewPassword, RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(result, _ => TypedResults.NoContent(), request);
    }

    [Function("SetUpMfa")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Starts two-factor setup: returns a TOTP secret and otpauth URI to scan.", Tag = "Client auth",
        Response = typeof(MfaSetup), Problems = [409])]
    public async Task<IResult> SetUpMfa(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/mfa/setup")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await mfa.SetupAsync(request.Client(), RequestOrigins.Of(request), cancellationToken), setup => ApiResults.Json(setup), request);

    [Function("EnableMfa")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Turns two-factor on with a first code; returns ten single-use recovery codes.", Tag = "Client auth",
        RequestBody = typeof(MfaCodeBody), Response = typeof(MfaEnabled), Problems = [409])]
    public async Task<IResult> EnableMfa(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/mfa/enable")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var code = await body.ReadJsonAsync<MfaCodeBody>(request, cancellationToken);
        return code.Succeeded
            ? ApiResults.From(await mfa.EnableAsync(request.Client(), code.Value.Code, RequestOrigins.Of(request), cancellationToken), enabled => ApiResults.Json(enabled), request)
            : ApiResults.Problem(code.Problem, request.HttpContext);
    }

    [Function("DisableMfa")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Turns two-factor off; needs the password and a current or recovery code.", Tag = "Client auth",
        RequestBody = typeof(MfaDisableBody), SuccessStatus = 204, Problems = [409])]
    public async Task<IResult> DisableMfa(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/auth/mfa/disable")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var disable = await body.ReadJsonAsync<MfaDisableBody>(request, cancellationToken);
        return disable.Succeeded
            ? ApiResults.From(await mfa.DisableAsync(request.Client(), disable.Value.Password, disable.Value.Code, RequestOrigins.Of(request), cancellationToken), _ => TypedResults.NoContent(), request)
            : ApiResults.Problem(disable.Problem, request.HttpContext);
    }
}

