using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Operators;

public sealed record OperatorLoginBody(string? Email, string? Password, string? Totp) : IValidatableRequest
{
    public void Validate(ValidationErrors errors) => errors
        .Required("email", Email, 320)
        .Required("password", Password, 1024)
        .MaxLength("totp", Totp, 16);
}

public sealed record AccessTokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed class OperatorAuthFunctions(RequestBody body, OperatorLoginService logins)
{
    [Function("ProviderLogin")]
    [AnonymousAccess("Signing in is how the provider gets a token.")]
    [ApiOperation("Signs the provider in with the credentials from the environment; returns a 15-minute JWT.",
        Tag = "Provider", RequestBody = typeof(OperatorLoginBody), Response = typeof(AccessTokenResponse), Problems = [401, 429])]
    public Task<IResult> ProviderLogin(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/auth/login")] HttpRequest request,
        CancellationToken cancellationToken) =>
        LoginAsync(OperatorSystem.Provider, request, cancellationToken);

    [Function("DeveloperLogin")]
    [AnonymousAccess("Signing in is how a developer gets a token.")]
    [ApiOperation("Signs a platform developer in with the credentials from the environment; returns a 15-minute JWT.",
        Tag = "Developer", RequestBody = typeof(OperatorLoginBody), Response = typeof(AccessTokenResponse), Problems = [401, 429])]
    public Task<IResult> DeveloperLogin(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dev/auth/login")] HttpRequest request,
        CancellationToken cancellationToken) =>
        LoginAsync(OperatorSystem.Developer, request, cancellationToken);

    private async Task<IResult> LoginAsync(OperatorSystem system, HttpRequest request, CancellationToken cancellationToken)
    {
        var login = await body.ReadJsonAsync<OperatorLoginBody>(request, cancellationToken);
        if (!login.Succeeded)
        {
            return ApiResults.Problem(login.Problem, request.HttpContext);
        }

        var token = await logins.LoginAsync(system, new OperatorLoginRequest(login.Value.Email, login.Value.Password, login.Value.Totp), RequestOrigins.Of(request), cancellationToken);
        return ApiResults.From(token, issued => ApiResults.Json(new AccessTokenResponse(issued.AccessToken, "Bearer", issued.ExpiresIn)), request);
    }
}
